import Foundation
import XCTest
@testable import Corpus

final class JSONLinesTests: XCTestCase {
    func testEncodingIsMinimalSortedAndReadableByJSONSerialization() throws {
        let doc = MathDocument(id: "c-1", problem: "Say \"hi\" \\ a/b\tend\u{01} é", solution: "1\n2", answer: "3",
                               family: "arithmetic", difficulty: 2)
        let data = JSONLines.encode([doc])
        XCTAssertEqual(String(decoding: data, as: UTF8.self),
                       #"{"answer":"3","difficulty":2,"family":"arithmetic","id":"c-1","problem":"Say \"hi\" \\ a/b\tend\u0001 é","solution":"1\n2"}"#
                       + "\n")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data.dropLast()) as? [String: Any])
        XCTAssertEqual(object["problem"] as? String, doc.problem)
        XCTAssertEqual(object["difficulty"] as? Int, 2)
    }
}
