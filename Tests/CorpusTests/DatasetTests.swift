import Vocabulary
import Foundation
import XCTest
@testable import Corpus

final class DatasetTests: XCTestCase {
    private let small = DatasetOptions(
        seed: 11, base: BaseCorpusOptions(count: 120), cot: MathCoTOptions(count: 150),
        downstream: DownstreamOptions(feedbackCount: 40, validationCount: 20, testCount: 30), contaminate: 3)

    private func bytes(_ dir: String, _ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
    }

    func testSameSeedWritesByteIdenticalFiles() throws {
        let a = try temporaryDirectory(self), b = try temporaryDirectory(self), c = try temporaryDirectory(self)
        let summaryA = try DatasetBuilder.write(to: a, options: small)
        _ = try DatasetBuilder.write(to: b, options: small)
        var other = small
        other.seed = 12
        _ = try DatasetBuilder.write(to: c, options: other)
        let names = summaryA.manifest.files.map(\.name) + [DatasetLayout.manifest]
        XCTAssertEqual(Set(names), [DatasetLayout.base, DatasetLayout.cot, DatasetLayout.feedback, DatasetLayout.validation,
                                    DatasetLayout.test, DatasetLayout.contamination, DatasetLayout.manifest])
        for name in names {
            XCTAssertEqual(try bytes(a, name), try bytes(b, name), name)
        }
        for name in [DatasetLayout.base, DatasetLayout.cot, DatasetLayout.test] {
            XCTAssertNotEqual(try bytes(a, name), try bytes(c, name), name)
        }
    }

    func testManifestDescribesTheFiles() throws {
        let dir = try temporaryDirectory(self)
        let summary = try DatasetBuilder.write(to: dir, options: small)
        let manifest = summary.manifest
        XCTAssertEqual(manifest.source, "generated")
        XCTAssertEqual(manifest.options, small)
        XCTAssertEqual(manifest.counts[DatasetLayout.cot], 153)
        XCTAssertEqual(manifest.counts[DatasetLayout.feedback], 40)
        XCTAssertEqual(manifest.injectedDocumentIDs.count, 3)
        for file in manifest.files {
            let data = try bytes(dir, file.name)
            XCTAssertEqual(file.bytes, data.count)
            XCTAssertEqual(file.fnv1a64, FNV1a64.hex(FNV1a64.hash(data)))
            XCTAssertEqual(file.lines, data.filter { $0 == 0x0A }.count)
        }
        XCTAssertEqual(summary.contamination["cot"]?.documentsFlagged, 3)
        XCTAssertEqual(summary.promptLengths.count, 20)
    }

    func testLoadReadsBackWhatWasGenerated() throws {
        let dir = try temporaryDirectory(self)
        _ = try DatasetBuilder.write(to: dir, options: small)
        let generated = try DatasetBuilder.generate(small)
        let dataset = try Dataset.load(from: dir)
        XCTAssertEqual(dataset.base, generated.base)
        XCTAssertEqual(dataset.cot, generated.cot)
        XCTAssertEqual(dataset.feedback, generated.splits[.feedback])
        XCTAssertEqual(dataset.validation, generated.splits[.validation])
        XCTAssertEqual(dataset.test, generated.splits[.test])
        XCTAssertEqual(dataset.contaminationReport()["cot"]?.documentsFlagged, 3)
    }

    func testLoadDetectsAnEditedFile() throws {
        let dir = try temporaryDirectory(self)
        _ = try DatasetBuilder.write(to: dir, options: small)
        let path = dir + "/" + DatasetLayout.test
        var data = try bytes(dir, DatasetLayout.test)
        data.append(contentsOf: Array("{\"id\":\"x\",\"question\":\"q?\",\"answer\":\"#### 1\"}\n".utf8))
        try data.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Dataset.load(from: dir)) { error in
            XCTAssertTrue("\(error)".contains("does not match the manifest"), "\(error)")
        }
        XCTAssertEqual(try Dataset.load(from: dir, verify: false).test.count, 31)
    }

    func testDecontaminateRemovesTheInjectedDocuments() throws {
        let dir = try temporaryDirectory(self)
        var options = small
        options.decontaminate = true
        let summary = try DatasetBuilder.write(to: dir, options: options)
        XCTAssertEqual(summary.manifest.removedByDecontamination[DatasetLayout.cot], 3)
        XCTAssertEqual(summary.manifest.removedByDecontamination[DatasetLayout.base], 0)
        let dataset = try Dataset.load(from: dir)
        XCTAssertEqual(dataset.cot.count, 150)
        XCTAssertEqual(dataset.contaminationReport()["cot"]?.documentsFlagged, 0)
    }

    func testImportRealFormatFiles() throws {
        let dir = try temporaryDirectory(self)
        let options = DatasetImportOptions(
            gsm8kTrain: fixture("gsm8k_sample.jsonl"), gsm8kTest: fixture("gsm8k_crlf_no_final_newline.jsonl"),
            numina: [fixture("numina_sample.jsonl")], text: [fixture("text_sample.txt")],
            feedbackCount: 3, validationCount: 1, testCount: 1)
        let summary = try DatasetImporter.write(to: dir, options: options)
        XCTAssertEqual(summary.manifest.source, "imported")
        let dataset = try Dataset.load(from: dir)
        XCTAssertEqual(dataset.feedback.count, 3)
        XCTAssertEqual(dataset.validation.count, 1)
        XCTAssertEqual(dataset.test.map(\.finalAnswer), ["5"])
        XCTAssertEqual(Set((dataset.feedback + dataset.validation).map(\.finalAnswer)), ["72", "1234", "-5", "3.5"])
        XCTAssertEqual(dataset.cot.count, 7)
        XCTAssertEqual(dataset.base.count, 3)

        var tooMany = options
        tooMany.feedbackCount = 4
        XCTAssertThrowsError(try DatasetImporter.write(to: dir, options: tooMany))
    }

    func testImportSkipBadRecordsSkippedLinesInTheManifest() throws {
        let dir = try temporaryDirectory(self)
        let options = DatasetImportOptions(
            gsm8kTrain: fixture("gsm8k_bad.jsonl"), gsm8kTest: fixture("gsm8k_sample.jsonl"),
            feedbackCount: 1, validationCount: 1, testCount: 10, skipBad: true)
        let summary = try DatasetImporter.write(to: dir, options: options)
        XCTAssertEqual(summary.manifest.skippedLines.count, 5)
        XCTAssertTrue(summary.manifest.skippedLines[0].hasSuffix("gsm8k_bad.jsonl:2: invalid JSON"))
        XCTAssertThrowsError(try DatasetImporter.write(to: dir, options: DatasetImportOptions(
            gsm8kTrain: fixture("gsm8k_bad.jsonl"), gsm8kTest: fixture("gsm8k_sample.jsonl"),
            feedbackCount: 1, validationCount: 1)))
    }

    func testImportDropsTrainQuestionsThatAreTestQuestions() throws {
        let dir = try temporaryDirectory(self)
        let options = DatasetImportOptions(
            gsm8kTrain: fixture("gsm8k_sample.jsonl"), gsm8kTest: fixture("gsm8k_sample.jsonl"),
            feedbackCount: 1, validationCount: 0, testCount: 3)
        let dataset = try { () throws -> Dataset in
            _ = try DatasetImporter.write(to: dir, options: options)
            return try Dataset.load(from: dir)
        }()
        XCTAssertEqual(dataset.test.count, 3)
        // Only the fourth question is not in the test split.
        XCTAssertEqual(dataset.feedback.map(\.finalAnswer), ["3.5"])
    }
}

final class DatasetMaintenanceTests: XCTestCase {
    func testWriteDecontaminatedCopyOfAnExistingDataset() throws {
        let source = try temporaryDirectory(self), target = try temporaryDirectory(self)
        let options = DatasetOptions(seed: 3, base: BaseCorpusOptions(count: 50), cot: MathCoTOptions(count: 80),
                                     downstream: DownstreamOptions(feedbackCount: 10, validationCount: 10, testCount: 20),
                                     contaminate: 4)
        _ = try DatasetBuilder.write(to: source, options: options)
        let summary = try Dataset.load(from: source).writeDecontaminated(to: target)
        XCTAssertEqual(summary.manifest.source, "decontaminated:generated")
        XCTAssertEqual(summary.manifest.removedByDecontamination[DatasetLayout.cot], 4)
        let clean = try Dataset.load(from: target)
        XCTAssertEqual(clean.cot.count, 80)
        XCTAssertEqual(clean.test, try Dataset.load(from: source).test)
        XCTAssertTrue(summary.lines.contains { $0.contains("decontamination removed 4 documents from cot.jsonl") },
                      summary.lines.joined(separator: "\n"))
    }

    func testFormat2() {
        XCTAssertEqual(format2(1.5), "1.50")
        XCTAssertEqual(format2(0.004), "0.00")
        XCTAssertEqual(format2(12.346), "12.35")
        XCTAssertEqual(format2(-0.5), "-0.50")
    }
}
