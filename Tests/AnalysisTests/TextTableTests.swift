import Foundation
import XCTest
@testable import Analysis

final class TextTableTests: XCTestCase {
    let table = try! TextTable(headers: ["arm", "seeds", "mean loss", "note"], rows: [
        ["baseline", "5", "2.0412", ""],
        ["vpt", "5", "1.95", "has, comma"],
        ["self_distill", "4", "-0.5e-3", "say \"hi\"\nbye"],
    ])

    func testAlignedTerminalTable() {
        XCTAssertEqual(table.render(.table), """
        arm           seeds  mean loss  note
        ------------  -----  ---------  ------------
        baseline          5     2.0412
        vpt               5       1.95  has, comma
        self_distill      4    -0.5e-3  say "hi" bye

        """)
    }

    func testMarkdown() {
        let t = try! TextTable(headers: ["a|b", "n"], rows: [["x|y", "1"], ["two\nlines", "2.5"]])
        XCTAssertEqual(t.render(.markdown), """
        | a\\|b | n |
        | --- | ---: |
        | x\\|y | 1 |
        | two<br>lines | 2.5 |

        """)
    }

    func testCSVQuotesPerRFC4180() {
        XCTAssertEqual(table.render(.csv),
                       "arm,seeds,mean loss,note\r\nbaseline,5,2.0412,\r\nvpt,5,1.95,\"has, comma\"\r\n"
                       + "self_distill,4,-0.5e-3,\"say \"\"hi\"\"\nbye\"\r\n")
        let crOnly = try! TextTable(headers: ["x"], rows: [["a\rb"], ["plain"]])
        XCTAssertEqual(crOnly.render(.csv), "x\r\n\"a\rb\"\r\nplain\r\n")
    }

    func testJSONNumbersStringsAndNulls() throws {
        let json = table.render(.json)
        XCTAssertEqual(json, """
        [
          {"arm": "baseline", "seeds": 5, "mean loss": 2.0412, "note": null},
          {"arm": "vpt", "seeds": 5, "mean loss": 1.95, "note": "has, comma"},
          {"arm": "self_distill", "seeds": 4, "mean loss": -0.5e-3, "note": "say \\"hi\\"\\nbye"}
        ]

        """)
        // And a JSON parser agrees.
        let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        XCTAssertEqual(parsed[2]["mean loss"] as? Double, -0.0005)
        XCTAssertEqual(parsed[2]["note"] as? String, "say \"hi\"\nbye")
        XCTAssertTrue(parsed[0]["note"] is NSNull)
        XCTAssertEqual(try TextTable(headers: ["a"], rows: []).render(.json), "[]\n")
        XCTAssertEqual(TextTable.jsonString("tab\tbell\u{07}"), "\"tab\\tbell\\u0007\"")
    }

    func testNumericCellGrammar() {
        for cell in ["0", "-0", "12", "1.5", "-0.25", "1e-3", "2.5E+10", "0.000"] { XCTAssertTrue(TableCell.isNumeric(cell), cell) }
        for cell in ["", "-", "007", "1.", ".5", "+1", "0x10", "nan", "inf", "1e", "1e400", "1,000", " 1", "1 ", "trial-3"] {
            XCTAssertFalse(TableCell.isNumeric(cell), cell)
        }
    }

    func testBadTablesThrowNamingTheRow() {
        XCTAssertThrowsError(try TextTable(headers: ["a", "b"], rows: [["1", "2"], ["3"]])) {
            XCTAssertEqual("\($0)", "table row 1 has 1 cells; expected 2 (one per header)")
        }
        XCTAssertThrowsError(try TextTable(headers: ["a", "a"], rows: [])) { XCTAssertTrue("\($0)".contains("\"a\" appears twice")) }
        XCTAssertThrowsError(try TextTable(headers: [], rows: []))
    }
}
