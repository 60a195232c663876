import XCTest
@testable import Corpus

final class ImporterTests: XCTestCase {
    // MARK: GSM8K

    func testGSM8KFixture() throws {
        let result = try GSM8KImporter.load(path: fixture("gsm8k_sample.jsonl"))
        XCTAssertEqual(result.skippedCount, 0)
        XCTAssertEqual(result.records.map(\.finalAnswer), ["72", "1234", "-5", "3.5"])
        XCTAssertEqual(result.records.map(\.id), ["gsm8k_sample.jsonl:1", "gsm8k_sample.jsonl:2", "neg-1", "gsm8k_sample.jsonl:5"])
        XCTAssertEqual(result.records.map(\.family), ["gsm8k", "gsm8k", "gsm8k", "money"])
        XCTAssertTrue(result.records[0].question.hasPrefix("Natalia sold clips"))
        XCTAssertTrue(result.records[0].answer.hasSuffix("#### 72"))
    }

    func testGSM8KAcceptsCRLFAndMissingFinalNewline() throws {
        let result = try GSM8KImporter.load(path: fixture("gsm8k_crlf_no_final_newline.jsonl"))
        XCTAssertEqual(result.records.count, 2)
        XCTAssertEqual(result.records.map(\.finalAnswer), ["5", "5"])
    }

    func testGSM8KMalformedLineIsAnErrorNamingFileAndLine() {
        let path = fixture("gsm8k_bad.jsonl")
        XCTAssertThrowsError(try GSM8KImporter.load(path: path)) { error in
            XCTAssertEqual(error as? ImportError, ImportError(path: path, line: 2, problem: "invalid JSON"))
            XCTAssertEqual("\(error)", "\(path):2: invalid JSON")
        }
    }

    func testGSM8KSkipBadSkipsAndCounts() throws {
        let path = fixture("gsm8k_bad.jsonl")
        let result = try GSM8KImporter.load(path: path, skipBad: true)
        XCTAssertEqual(result.records.map(\.finalAnswer), ["2", "25"])
        XCTAssertEqual(result.skippedCount, 5)
        XCTAssertEqual(result.skipped.map(\.line), [2, 3, 4, 5, 6])
        XCTAssertEqual(result.skipped.map(\.problem), [
            "invalid JSON",
            "expected a JSON object",
            "missing field 'question'",
            "field 'answer' has no '#### N' final-answer line",
            "field 'question' is not a string",
        ])
    }

    func testMissingFileIsNamed() {
        XCTAssertThrowsError(try GSM8KImporter.load(path: "/nonexistent/x.jsonl")) { error in
            XCTAssertEqual(error as? DatasetError, .missingFile(path: "/nonexistent/x.jsonl"))
        }
    }

    // MARK: NuminaMath

    func testNuminaFixture() throws {
        let result = try NuminaMathImporter.load(path: fixture("numina_sample.jsonl"))
        XCTAssertEqual(result.skippedCount, 0)
        let docs = result.records
        XCTAssertEqual(docs.count, 7)
        XCTAssertEqual(docs.map(\.answer), ["9", "132", "40", "", "-5", "\\{1, 2\\}", "4"])
        XCTAssertEqual(docs.map(\.family), ["synthetic_math", "cn_k12", "numina", "numina", "numina", "numina", "arithmetic"])
        // `problem` wins over `messages` when both are present.
        XCTAssertEqual(docs[1].problem, "Compute $12 \\times 11$.")
        // Chat form: first user message → problem, assistant → solution.
        XCTAssertEqual(docs[2].problem, "A train travels 60 km in 1.5 hours. What is its speed?")
        XCTAssertTrue(docs[2].solution.hasPrefix("Speed is 60 / 1.5"))
        XCTAssertEqual(docs[6].id, "own-1")
        XCTAssertEqual(docs[6].difficulty, 1)
        XCTAssertEqual(docs[0].id, "numina_sample.jsonl:1")
    }

    func testNuminaMalformedLines() throws {
        let path = fixture("numina_bad.jsonl")
        XCTAssertThrowsError(try NuminaMathImporter.load(path: path)) { error in
            XCTAssertEqual("\(error)", "\(path):2: missing field 'solution'")
        }
        let result = try NuminaMathImporter.load(path: path, skipBad: true)
        XCTAssertEqual(result.records.map(\.answer), ["2"])
        XCTAssertEqual(result.skipped.map(\.line), [2, 3, 4, 5, 6, 7])
        XCTAssertEqual(result.skipped.map(\.problem), [
            "missing field 'solution'",
            "missing field 'problem' (and no 'messages')",
            "field 'messages' is not a list",
            "messages: no 'assistant' message after the 'user' message",
            "messages[0] is not an object with string 'role' and 'content'",
            "field 'problem' is empty",
        ])
    }

    func testNuminaFinalAnswerRules() {
        XCTAssertEqual(NuminaMathImporter.finalAnswer(inSolution: "so $\\boxed{1,024}$"), "1024")
        XCTAssertEqual(NuminaMathImporter.finalAnswer(inSolution: "first \\boxed{1} then \\boxed{2}"), "2")
        XCTAssertEqual(NuminaMathImporter.finalAnswer(inSolution: "\\boxed{\\frac{1}{2}}"), "\\frac{1}{2}")
        XCTAssertEqual(NuminaMathImporter.finalAnswer(inSolution: "unbalanced \\boxed{3 and then 7"), "7")
        XCTAssertEqual(NuminaMathImporter.finalAnswer(inSolution: "12 - 20 = -8."), "-8")
        XCTAssertEqual(NuminaMathImporter.finalAnswer(inSolution: "The total is 3.50 dollars"), "3.5")
        XCTAssertEqual(NuminaMathImporter.finalAnswer(inSolution: "no numbers"), "")
    }

    // MARK: Plain text

    func testPlainTextParagraphs() throws {
        let result = try PlainTextImporter.load(path: fixture("text_sample.txt"))
        XCTAssertEqual(result.records, [
            TextDocument(id: "text_sample.txt:1", text: "The first paragraph has two lines.\nIt ends here."),
            TextDocument(id: "text_sample.txt:5", text: "Second paragraph, after two blank lines and leading spaces."),
            TextDocument(id: "text_sample.txt:7", text: "Third paragraph: 12 apples and 3 pears."),
        ])
    }

    func testPlainTextWholeFile() throws {
        let result = try PlainTextImporter.load(path: fixture("text_sample.txt"), mode: .wholeFile)
        XCTAssertEqual(result.records.count, 1)
        XCTAssertTrue(result.records[0].text.hasPrefix("The first paragraph"))
        XCTAssertTrue(result.records[0].text.hasSuffix("3 pears."))
    }

    func testPlainTextInvalidUTF8() throws {
        let path = fixture("text_bad_utf8.txt")
        XCTAssertThrowsError(try PlainTextImporter.load(path: path)) { error in
            XCTAssertEqual(error as? ImportError, ImportError(path: path, line: 3, problem: "not valid UTF-8"))
        }
        let result = try PlainTextImporter.load(path: path, skipBad: true)
        XCTAssertEqual(result.records.map(\.text), ["Good paragraph.", "Another good one."])
        XCTAssertEqual(result.skipped.map(\.line), [3])
    }
}
