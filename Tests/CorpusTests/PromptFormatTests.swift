import XCTest
@testable import Corpus

final class PromptFormatTests: XCTestCase {
    private let example = DownstreamExample(id: "v-0", question: "Ann has 3 pens and buys 4 more. How many pens?",
                                            answer: "3 + 4 = 7\n#### 7", finalAnswer: "7", family: "shopping")

    func testDownstreamExampleBytes() {
        let pair = PromptFormat.encode(example)
        XCTAssertEqual(ByteTokenizer.decode(pair.prompt), "Q: Ann has 3 pens and buys 4 more. How many pens?\nA: ")
        XCTAssertEqual(ByteTokenizer.decode(pair.completion), "3 + 4 = 7\n#### 7\n")
        XCTAssertEqual(pair.count, 53 + 17)
    }

    func testTeacherForcingShiftsAndMasksTheCompletion() throws {
        let pair = PromptPair(prompt: Array("Q: a\nA: ".utf8), completion: Array("1\n".utf8))
        let tf = try XCTUnwrap(pair.teacherForcing(context: 16))
        XCTAssertEqual(ByteTokenizer.decode(tf.inputs), "Q: a\nA: 1")
        XCTAssertEqual(ByteTokenizer.decode(tf.targets), ": a\nA: 1\n")
        // Targets 0...6 are prompt bytes; targets 7 ("1") and 8 ("\n") are the completion.
        XCTAssertEqual(tf.lossMask, [false, false, false, false, false, false, false, true, true])
        // 10 bytes in all: 9 inputs, so the context must be at least 9.
        XCTAssertNil(pair.teacherForcing(context: 8))
        XCTAssertNotNil(pair.teacherForcing(context: 9))
    }

    func testStopRule() {
        let rule = StopRule(maxNewBytes: 40)
        func stops(_ text: String) -> Bool { rule.shouldStop(Array(text.utf8)) }
        XCTAssertFalse(stops("3 + 4 = 7"))
        XCTAssertFalse(stops("3 + 4 = 7\n"))
        XCTAssertFalse(stops("3 + 4 = 7\n#### 7"))
        XCTAssertTrue(stops("3 + 4 = 7\n#### 7\n"))
        XCTAssertTrue(stops("#### 7\n"))
        XCTAssertTrue(stops("3 + 4 = 7\n\n"))
        XCTAssertFalse(stops("a #### 7\n"))      // #### must start the line
        XCTAssertTrue(stops(String(repeating: "1", count: 40)))
        XCTAssertFalse(stops(String(repeating: "1", count: 39)))
    }

    func testTrainingTextOfDocuments() {
        let doc = MathDocument(id: "c", problem: "Calculate 2 + 3.", solution: "2 + 3 = 5", answer: "5",
                               family: "arithmetic", difficulty: 1)
        XCTAssertEqual(PromptFormat.trainingText(doc), "Q: Calculate 2 + 3.\nA: 2 + 3 = 5\n#### 5")
        var proof = doc
        proof.answer = ""
        XCTAssertEqual(PromptFormat.trainingText(proof), "Q: Calculate 2 + 3.\nA: 2 + 3 = 5")
        XCTAssertEqual(ByteTokenizer.decode(PromptFormat.unlabeledStream(["a", "b"])), "a\n\nb\n\n")
    }

    func testTokenStreamIsAPureFunctionOfSeedStepAndRow() throws {
        let bytes = Array((0..<1000).map { UInt8($0 % 251) })
        let stream = try TokenStream(bytes: bytes, windowLength: 17, seed: 3)
        let again = try TokenStream(bytes: bytes, windowLength: 17, seed: 3)
        let other = try TokenStream(bytes: bytes, windowLength: 17, seed: 4)
        XCTAssertEqual(stream.batch(step: 5, rows: 4), again.batch(step: 5, rows: 4))
        XCTAssertNotEqual(stream.batch(step: 5, rows: 4), other.batch(step: 5, rows: 4))
        XCTAssertNotEqual(stream.batch(step: 5, rows: 4), stream.batch(step: 6, rows: 4))
        // Asking for step 9 first does not change step 5.
        _ = again.batch(step: 9, rows: 8)
        XCTAssertEqual(stream.window(step: 5, row: 2), again.window(step: 5, row: 2))

        var starts = Set<Int>()
        for step in 0..<200 {
            let start = stream.offset(step: step, row: 0)
            XCTAssertTrue((0...(1000 - 17)).contains(start))
            XCTAssertEqual(Array(stream.window(step: step, row: 0)), Array(bytes[start..<(start + 17)]))
            starts.insert(start)
        }
        XCTAssertGreaterThan(starts.count, 150)
        XCTAssertEqual(stream.batch(step: 0, rows: 3).count, 51)
    }

    func testTokenStreamRejectsAShortCorpus() {
        XCTAssertThrowsError(try TokenStream(bytes: [1, 2, 3], windowLength: 4, seed: 1))
        XCTAssertThrowsError(try TokenStream(bytes: [1, 2, 3], windowLength: 1, seed: 1))
        XCTAssertNoThrow(try TokenStream(bytes: [1, 2, 3], windowLength: 3, seed: 1))
    }
}
