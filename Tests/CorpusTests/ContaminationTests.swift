import XCTest
@testable import Corpus

final class ContaminationTests: XCTestCase {
    private let question = EvalQuestion(id: "test-0", split: "test",
                                        text: "Ann had 12 red apples and gave 5 of them to Ben at the park.")

    func testNormalisationIgnoresCasePunctuationAndSpacing() {
        XCTAssertEqual(NGrams.words("  Ann's $3.50,\nTOTAL!! "), ["ann", "s", "3", "50", "total"])
        XCTAssertEqual(NGrams.grams("a b c", n: 8).map(\.text), ["a b c"])
        XCTAssertEqual(NGrams.grams("a b c d", n: 2).map(\.text), ["a b", "b c", "c d"])
        XCTAssertTrue(NGrams.grams("", n: 8).isEmpty)
    }

    func testEightWordOverlapFlagsSevenDoesNot() {
        let docs = [
            TextDocument(id: "seven", text: "Story: ann had 12 red apples and gave. The end."),      // 7 words in a row
            TextDocument(id: "eight", text: "Story: ANN   had 12 red apples, and gave 5! The end."), // 8 words in a row
            TextDocument(id: "clean", text: "Ben had 12 red apples."),
        ]
        let report = Contamination.report(docs, against: [question])
        XCTAssertEqual(report.flaggedDocumentIDs, ["eight"])
        XCTAssertEqual(report.documentsFlagged, 1)
        XCTAssertEqual(report.documentsChecked, 3)
        XCTAssertEqual(report.questionsHit, ["test": 1])
        XCTAssertEqual(report.examples.first?.ngram, "ann had 12 red apples and gave 5")
        XCTAssertEqual(Contamination.decontaminate(docs, text: \.text, against: [question]).map(\.id), ["seven", "clean"])
        // n is a knob: with n = 5 the seven-word overlap counts too.
        XCTAssertEqual(Contamination.report(docs, against: [question], n: 5).flaggedDocumentIDs, ["seven", "eight"])
    }

    func testShortQuestionsMatchAsAWhole() {
        let short = EvalQuestion(id: "v-1", split: "validation", text: "What is 7 times 6?")
        let docs = [TextDocument(id: "a", text: "Quiz: what is 7 times 6? Think."),
                    TextDocument(id: "b", text: "What is 7 times 8?")]
        XCTAssertEqual(Contamination.report(docs, against: [short]).flaggedDocumentIDs, ["a"])
    }

    func testInjectedNearDuplicatesAreExactlyWhatIsFlaggedAndRemoved() throws {
        var options = DatasetOptions(seed: 4, base: BaseCorpusOptions(count: 300), cot: MathCoTOptions(count: 600),
                                     downstream: DownstreamOptions(feedbackCount: 50, validationCount: 40, testCount: 120))
        options.contaminate = 7
        let generated = try DatasetBuilder.generate(options)
        XCTAssertEqual(generated.injectedDocumentIDs.count, 7)
        XCTAssertEqual(generated.cot.count, 607)
        let questions = (generated.splits[.validation]! .map { EvalQuestion($0, split: "validation") })
            + generated.splits[.test]!.map { EvalQuestion($0, split: "test") }

        let cotReport = Contamination.report(generated.cot, against: questions)
        XCTAssertEqual(Set(cotReport.flaggedDocumentIDs), Set(generated.injectedDocumentIDs))
        XCTAssertEqual(cotReport.documentsFlagged, 7)
        XCTAssertEqual(Contamination.report(generated.base, against: questions).documentsFlagged, 0)

        let clean = Contamination.decontaminate(generated.cot, text: PromptFormat.trainingText, against: questions)
        XCTAssertEqual(clean.count, 600)
        XCTAssertFalse(clean.contains { $0.family == "injected" })

        // Without injection the generated corpus is clean.
        options.contaminate = 0
        let plain = try DatasetBuilder.generate(options)
        XCTAssertEqual(Contamination.report(plain.cot, against: questions).documentsFlagged, 0)
    }

    func testContaminateCannotExceedEvalQuestions() {
        let options = DatasetOptions(downstream: DownstreamOptions(feedbackCount: 1, validationCount: 2, testCount: 3),
                                     contaminate: 6)
        XCTAssertThrowsError(try options.validate()) { error in
            XCTAssertEqual(error as? DatasetError,
                           .invalidOption(name: "contaminate", value: "6", rule: "must be in 0...5 (validation + test count)"))
        }
    }
}
