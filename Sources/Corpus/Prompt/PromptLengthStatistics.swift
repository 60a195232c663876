/// Byte lengths of downstream examples in the prompt format.
public struct PromptLengthStatistics: Codable, Sendable, Equatable {
    public var count: Int
    public var maxBytes: Int
    public var meanBytes: Double
    /// Examples whose prompt + completion exceed 129 / 257 bytes (do not fit
    /// a teacher-forcing window of context 128 / 256).
    public var over128: Int
    public var over256: Int

    public init(_ examples: [DownstreamExample]) {
        let lengths = examples.map { PromptFormat.encode($0).count }
        count = lengths.count
        maxBytes = lengths.max() ?? 0
        meanBytes = lengths.isEmpty ? 0 : Double(lengths.reduce(0, +)) / Double(lengths.count)
        over128 = lengths.filter { $0 > 129 }.count
        over256 = lengths.filter { $0 > 257 }.count
    }
}
