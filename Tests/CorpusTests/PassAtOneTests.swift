import XCTest
@testable import Corpus

final class PassAtOneTests: XCTestCase {
    func testGreedyDecodingFeedsPromptThenOutputAndStopsAfterTheAnswerLine() {
        let text = "Q: 2+2?\nA: 2 + 2 = 4\n#### 4\nQ: more"
        let bytes = Array(text.utf8)
        var positions: [Int] = []
        let prompt = Array("Q: 2+2?\nA: ".utf8)
        let out = GreedyDecoding.generate(prompt: prompt, context: 64, stop: StopRule()) { token, position in
            XCTAssertEqual(token, bytes[position])
            positions.append(position)
            return bytes[position + 1]
        }
        XCTAssertEqual(ByteTokenizer.decode(out), "2 + 2 = 4\n#### 4\n")
        XCTAssertEqual(positions, Array(0..<(prompt.count + out.count - 1)))
    }

    func testGreedyDecodingStopsAtTheContext() {
        let prompt = Array("Q: x\nA: ".utf8)  // 8 bytes
        let out = GreedyDecoding.generate(prompt: prompt, context: 12, stop: StopRule()) { _, position in
            XCTAssertLessThan(position, 12)
            return UInt8(ascii: "7")
        }
        XCTAssertEqual(out.count, 4)  // positions 8, 9, 10, 11
    }

    func testPassAtOneScoresExtractedAnswers() {
        let examples = [
            DownstreamExample(id: "a", question: "one?", answer: "#### 1", finalAnswer: "1", family: "t"),
            DownstreamExample(id: "b", question: "two?", answer: "#### 2", finalAnswer: "2", family: "t"),
            DownstreamExample(id: "c", question: "three?", answer: "#### 3", finalAnswer: "3", family: "t"),
            DownstreamExample(id: "d", question: String(repeating: "long ", count: 10) + "?", answer: "#### 4",
                              finalAnswer: "4", family: "t"),
        ]
        let replies = ["Q: one?\nA: ": "1 = 1\n#### 1.0\n", "Q: two?\nA: ": "#### 3\n", "Q: three?\nA: ": "3\n\n"]
        let result = PassAtOne.evaluate(examples, context: 32) { prompt in
            Array(replies[ByteTokenizer.decode(prompt)]!.utf8)
        }
        XCTAssertEqual(result.outcomes.map(\.correct), [true, false, false, false])
        XCTAssertEqual(result.outcomes.map(\.predicted), ["1", "3", nil, nil])
        XCTAssertEqual(result.correct, 1)
        XCTAssertEqual(result.promptsTooLong, 1)
        XCTAssertEqual(result.noAnswer, 1)
        XCTAssertEqual(result.score, 0.25)
    }
}
