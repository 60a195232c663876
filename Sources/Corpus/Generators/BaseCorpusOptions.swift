/// Options of the base-corpus generator.
public struct BaseCorpusOptions: Codable, Sendable, Equatable {
    /// Number of documents (short paragraphs).
    public var count: Int
    /// Sentences per document, drawn uniformly.
    public var sentences: ClosedRange<Int>
    /// Largest number that appears (counting, number words, facts).
    public var maxNumber: Int

    public init(count: Int = 6000, sentences: ClosedRange<Int> = 2...5, maxNumber: Int = 100) {
        self.count = count
        self.sentences = sentences
        self.maxNumber = maxNumber
    }

    func validate() throws {
        try DatasetError.check(count >= 0, "base.count", "\(count)", "must be ≥ 0")
        try DatasetError.check(sentences.lowerBound >= 1, "base.sentences", "\(sentences)", "must start at ≥ 1")
        try DatasetError.check((10...99_999).contains(maxNumber), "base.maxNumber", "\(maxNumber)", "must be in 10...99999")
    }
}
