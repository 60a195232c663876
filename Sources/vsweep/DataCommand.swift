import ArgumentParser
import Corpus
import Foundation

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Generate, import or check datasets (unlabeled corpora and downstream splits).",
        subcommands: [Generate.self, Import.self, Contamination.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a seeded synthetic dataset: base corpus, math CoT corpus, and feedback/validation/test splits.")
        @Option(help: "Output directory.") var out: String
        @Option(help: "Seed for every generator.") var seed: UInt64 = 1
        @Option(help: "Base corpus documents.") var baseCount = 6000
        @Option(help: "Math CoT documents.") var cotCount = 8000
        @Option(help: "CoT difficulty range, e.g. 1...2.") var cotDifficulty = "1...2"
        @Option(help: "Feedback pool size.") var feedback = 1024
        @Option(help: "Validation split size.") var validation = 256
        @Option(help: "Test split size.") var test = 1000
        @Option(help: "Downstream difficulty range, e.g. 1...1.") var difficulty = "1...1"
        @Option(help: "Inject K near-duplicates of validation/test questions into the CoT corpus (to test decontamination).")
        var contaminate = 0
        @Flag(help: "Drop CoT/base documents that share an n-gram with validation/test questions.") var decontaminate = false
        @Option(help: "n-gram length for contamination checks.") var ngram = 8

        func run() throws {
            var options = DatasetOptions(seed: seed)
            options.base.count = baseCount
            options.cot.count = cotCount
            options.cot.difficulty = try parseRange(cotDifficulty, "--cot-difficulty")
            options.downstream.feedbackCount = feedback
            options.downstream.validationCount = validation
            options.downstream.testCount = test
            options.downstream.difficulty = try parseRange(difficulty, "--difficulty")
            options.contaminate = contaminate
            options.decontaminate = decontaminate
            options.ngram = ngram
            let summary = try withInputErrors { try DatasetBuilder.write(to: out, options: options) }
            summary.lines.forEach { print($0) }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build a dataset from real files: GSM8K JSONL (question/answer with #### N), NuminaMath-CoT JSONL, plain text.")
        @Option(help: "Output directory.") var out: String
        @Option(help: "GSM8K-format training file (feedback and validation come from it).") var gsm8kTrain: String
        @Option(help: "GSM8K-format test file.") var gsm8kTest: String
        @Option(help: "NuminaMath-CoT-format file (problem/solution or chat messages); repeatable.") var numina: [String] = []
        @Option(help: "Plain-text file for the unlabeled corpus; repeatable.") var text: [String] = []
        @Option(help: "Feedback pool size.") var feedback = 1024
        @Option(help: "Validation split size.") var validation = 256
        @Option(help: "Test split size.") var test = 1000
        @Option(help: "Seed for the split assignment.") var seed: UInt64 = 1
        @Flag(help: "Skip malformed lines (counted and listed in the manifest) instead of failing.") var skipBad = false
        @Flag(help: "Drop unlabeled documents overlapping validation/test questions.") var decontaminate = false

        func run() throws {
            var o = DatasetImportOptions(gsm8kTrain: gsm8kTrain, gsm8kTest: gsm8kTest, numina: numina, text: text)
            o.feedbackCount = feedback; o.validationCount = validation; o.testCount = test
            o.seed = seed; o.skipBad = skipBad; o.decontaminate = decontaminate
            let summary = try withInputErrors { try DatasetImporter.write(to: out, options: o) }
            summary.lines.forEach { print($0) }
        }
    }

    struct Contamination: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report n-gram overlap between a dataset's unlabeled corpora and its validation/test questions; optionally write a decontaminated copy.")
        @Argument(help: "Dataset directory.") var dataset: String
        @Option(help: "n-gram length.") var ngram = 8
        @Option(help: "Write a decontaminated copy of the dataset here.") var decontaminateTo: String?

        func run() throws {
            let data = try withInputErrors { try Dataset.load(from: dataset) }
            for (name, r) in data.contaminationReport(n: ngram).sorted(by: { $0.key < $1.key }) {
                let hits = r.questionsHit.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                print("\(name): \(r.documentsFlagged) of \(r.documentsChecked) documents share a \(r.n)-gram with evaluation questions; questions hit: \(hits.isEmpty ? "none" : hits)")
                for e in r.examples.prefix(5) { print("  \(e.documentID) ~ \(e.questionID) (\(e.split)): \"\(e.ngram)\"") }
            }
            if let decontaminateTo {
                let summary = try withInputErrors { try data.writeDecontaminated(to: decontaminateTo, n: ngram) }
                summary.lines.forEach { print($0) }
            }
        }
    }
}

/// "a...b" or "a" → a closed range.
func parseRange(_ text: String, _ flag: String) throws -> ClosedRange<Int> {
    let parts = text.components(separatedBy: "...")
    if parts.count == 1, let v = Int(parts[0]) { return v...v }
    guard parts.count == 2, let lo = Int(parts[0]), let hi = Int(parts[1]), lo <= hi else {
        throw ValidationError("\(flag): expected a range like 1...3, got \"\(text)\"")
    }
    return lo...hi
}

/// Library errors exit with their own message and the status `ExitStatus` gives their
/// kind; errors of no known kind are about the command's input (status 2).
func withInputErrors<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as ExitCode { throw e } catch let e as ValidationError { throw e } catch {
        try? FileHandle.standardError.write(contentsOf: Data("error: \(error)\n".utf8))
        throw ExitCode(ExitStatus.of(error, unknown: ExitStatus.badInput))
    }
}
