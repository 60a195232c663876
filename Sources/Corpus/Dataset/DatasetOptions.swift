/// Everything that determines a generated dataset. Same options (seed
/// included) ⇒ byte-identical files.
public struct DatasetOptions: Codable, Sendable, Equatable {
    public var seed: UInt64
    public var base: BaseCorpusOptions
    public var cot: MathCoTOptions
    public var downstream: DownstreamOptions
    /// Near-duplicates of validation/test questions deliberately added to the
    /// CoT corpus (for testing the contamination report and filter); 0 = none.
    public var contaminate: Int
    /// Drop base and CoT documents sharing an n-gram with a validation/test question.
    public var decontaminate: Bool
    /// Word n-gram length of the contamination check.
    public var ngram: Int

    public init(seed: UInt64 = 1, base: BaseCorpusOptions = BaseCorpusOptions(),
                cot: MathCoTOptions = MathCoTOptions(), downstream: DownstreamOptions = DownstreamOptions(),
                contaminate: Int = 0, decontaminate: Bool = false, ngram: Int = Contamination.defaultN) {
        self.seed = seed
        self.base = base
        self.cot = cot
        self.downstream = downstream
        self.contaminate = contaminate
        self.decontaminate = decontaminate
        self.ngram = ngram
    }

    public func validate() throws {
        try base.validate()
        try cot.validate()
        try downstream.validate()
        let evalCount = downstream.validationCount + downstream.testCount
        try DatasetError.check(contaminate >= 0 && contaminate <= evalCount, "contaminate", "\(contaminate)",
                               "must be in 0...\(evalCount) (validation + test count)")
        try DatasetError.check((1...64).contains(ngram), "ngram", "\(ngram)", "must be in 1...64")
    }
}

/// File names of a dataset directory (generated or imported).
public enum DatasetLayout {
    public static let base = "base.jsonl"
    public static let cot = "cot.jsonl"
    public static let feedback = "feedback.jsonl"
    public static let validation = "validation.jsonl"
    public static let test = "test.jsonl"
    public static let contamination = "contamination.json"
    public static let manifest = "manifest.json"

    public static func file(_ split: DownstreamSplit) -> String {
        switch split {
        case .feedback: return feedback
        case .validation: return validation
        case .test: return test
        }
    }
}
