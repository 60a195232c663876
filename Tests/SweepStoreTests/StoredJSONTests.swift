import Foundation
import GRDB
import XCTest
@testable import SweepStore

final class StoredJSONTests: XCTestCase {
    func testParamsAreAnObjectWithSortedKeys() throws {
        let text = try StoredJSON.encodeParams(["lr": .double(0.001), "arm": .string("vpt"), "warm": .bool(true),
                                                "layers": .int(4)])
        XCTAssertEqual(text, #"{"arm":"vpt","layers":4,"lr":0.001,"warm":true}"#)
        XCTAssertEqual(try StoredJSON.decodeParams(text),
                       ["lr": .double(0.001), "arm": .string("vpt"), "warm": .bool(true), "layers": .int(4)])
    }

    func testNonFiniteParamIsRefusedNamingTheKey() {
        XCTAssertThrowsStoreError(.invalidInput(field: "params.lr", reason: "a parameter must be finite, got nan"),
                                  try StoredJSON.encodeParams(["lr": .double(.nan)]))
    }

    func testNumbersEncodeNonFiniteAsStringsAndEscapeNames() throws {
        let numbers: [String: Double] = ["b": 0.1, "a\"q": -.infinity, "c": 1e-05, "d": .nan, "e": 3]
        let text = StoredJSON.encodeNumbers(numbers)
        XCTAssertEqual(text, #"{"a\"q":"-Infinity","b":0.1,"c":1e-05,"d":"NaN","e":3.0}"#)
        let back = try StoredJSON.decodeNumbers(text, table: "t", column: "c")
        XCTAssertEqual(back["b"], 0.1)
        XCTAssertEqual(back["a\"q"], -.infinity)
        XCTAssertEqual(back["c"], 1e-05)
        XCTAssertTrue(back["d"]!.isNaN)
        XCTAssertEqual(StoredJSON.encodeNumbers([:]), "{}")
    }

    func testValueKindRoundTrip() {
        for value in [1.5, -0.0, .nan, .infinity, -.infinity] {
            let kind = ValueKind(of: value)
            let back = kind.value(stored: ValueKind.storedNumber(value))
            XCTAssertTrue(back == value || (back.isNaN && value.isNaN), "\(value)")
            XCTAssertEqual(ValueKind.storedNumber(value) == nil, !value.isFinite)
        }
    }

    func testSpecHashIsStable() {
        // FNV-1a 64 of "" is the offset basis; of "a" is 0xaf63dc4c8601ec8c.
        XCTAssertEqual(SpecHash.fnv1a64(""), "fnv1a64:cbf29ce484222325")
        XCTAssertEqual(SpecHash.fnv1a64("a"), "fnv1a64:af63dc4c8601ec8c")
    }
}
