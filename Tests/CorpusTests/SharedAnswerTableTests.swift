import Foundation
import XCTest
@testable import Corpus

/// The answer table shared with the PyTorch engine's tests (Tests/TorchEngineTests/test_datasets.py):
/// both engines must extract, match and stop exactly alike.
final class SharedAnswerTableTests: XCTestCase {
    struct Table: Decodable {
        struct Extract: Decodable { var text: String; var expected: String? }
        struct Match: Decodable { var predicted: String?; var reference: String; var expected: Bool }
        struct Stop: Decodable { var generated: String; var max_new: Int; var count: Int; var stop: Bool }
        var final_answer: [Extract]
        var is_correct: [Match]
        var stop_rule: [Stop]
    }

    func testSharedTable() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixture("answer_extraction_cases.json")))
        let table = try JSONDecoder().decode(Table.self, from: data)
        XCTAssertGreaterThan(table.final_answer.count, 30)
        for c in table.final_answer {
            XCTAssertEqual(AnswerExtraction.finalAnswer(in: c.text), c.expected, "input \(c.text.debugDescription)")
        }
        for c in table.is_correct {
            XCTAssertEqual(AnswerExtraction.isCorrect(predicted: c.predicted, reference: c.reference), c.expected,
                           "\(String(describing: c.predicted)) vs \(c.reference)")
        }
        for c in table.stop_rule {
            // The byte engine counts bytes: every generated text in the table is ASCII.
            let bytes = Array(c.generated.utf8)
            XCTAssertEqual(bytes.count, c.count, "table row \(c.generated.debugDescription) miscounted")
            XCTAssertEqual(StopRule(maxNewBytes: c.max_new).shouldStop(bytes), c.stop, "\(c.generated.debugDescription)")
        }
    }
}
