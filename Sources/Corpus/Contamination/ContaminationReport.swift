/// A question the unlabeled corpus must not contain: an id, the split it
/// belongs to, and its text.
public struct EvalQuestion: Sendable, Equatable {
    public var id: String
    public var split: String
    public var text: String

    public init(id: String, split: String, text: String) {
        self.id = id
        self.split = split
        self.text = text
    }

    public init(_ example: DownstreamExample, split: String) {
        self.init(id: example.id, split: split, text: example.question)
    }
}

/// One hit: an unlabeled document sharing an n-gram with an eval question.
public struct ContaminationHit: Codable, Sendable, Equatable {
    public var documentID: String
    public var questionID: String
    public var split: String
    /// The shared n-gram, normalised (lowercase words joined by one space).
    public var ngram: String
}

/// What `Contamination.report` found.
public struct ContaminationReport: Codable, Sendable, Equatable {
    public var n: Int
    public var documentsChecked: Int
    public var documentsFlagged: Int
    public var questionsChecked: Int
    /// Eval questions with at least one n-gram in some document, per split
    /// (every split of the questions appears, with 0 when none was hit).
    public var questionsHit: [String: Int]
    /// Ids of every flagged document, in corpus order.
    public var flaggedDocumentIDs: [String]
    /// The first hit of each flagged document, up to `maxExamples`.
    public var examples: [ContaminationHit]
}
