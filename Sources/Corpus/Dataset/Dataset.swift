import Vocabulary
import Foundation

/// A dataset directory read back into memory: what the trainer consumes.
public struct Dataset: Sendable {
    public var base: [TextDocument]
    public var cot: [MathDocument]
    public var feedback: [DownstreamExample]
    public var validation: [DownstreamExample]
    public var test: [DownstreamExample]
    public var manifest: DatasetManifest

    /// Reads every file of `directory` strictly (a bad line is an error).
    /// With `verify`, each file's FNV-1a 64 must match the manifest, so an
    /// edited or truncated file is caught before training on it.
    public static func load(from directory: String, verify: Bool = true) throws -> Dataset {
        let manifestPath = directory + "/" + DatasetLayout.manifest
        let manifestData = try JSONLineReader.readData(manifestPath)
        let manifest: DatasetManifest
        do {
            manifest = try JSONDecoder().decode(DatasetManifest.self, from: manifestData)
        } catch {
            throw DatasetError.io(path: manifestPath, message: "not a dataset manifest: \(error)")
        }
        if verify {
            for file in manifest.files {
                let path = directory + "/" + file.name
                let actual = FNV1a64.hex(FNV1a64.hash(try JSONLineReader.readData(path)))
                if actual != file.fnv1a64 {
                    throw DatasetError.io(path: path, message: "content hash \(actual) does not match the manifest's \(file.fnv1a64)")
                }
            }
        }
        func path(_ name: String) -> String { directory + "/" + name }
        return Dataset(
            base: try PlainTextImporter.loadJSONL(path: path(DatasetLayout.base)).records,
            cot: try NuminaMathImporter.load(path: path(DatasetLayout.cot)).records,
            feedback: try GSM8KImporter.load(path: path(DatasetLayout.feedback)).records,
            validation: try GSM8KImporter.load(path: path(DatasetLayout.validation)).records,
            test: try GSM8KImporter.load(path: path(DatasetLayout.test)).records,
            manifest: manifest)
    }

    /// Validation and test questions, for contamination checks.
    public var evalQuestions: [EvalQuestion] {
        validation.map { EvalQuestion($0, split: DownstreamSplit.validation.rawValue) }
            + test.map { EvalQuestion($0, split: DownstreamSplit.test.rawValue) }
    }

    /// Contamination of the base and CoT documents against validation/test.
    public func contaminationReport(n: Int = Contamination.defaultN, maxExamples: Int = 20) -> [String: ContaminationReport] {
        ["base": Contamination.report(base, against: evalQuestions, n: n, maxExamples: maxExamples),
         "cot": Contamination.report(cot, against: evalQuestions, n: n, maxExamples: maxExamples)]
    }
}
