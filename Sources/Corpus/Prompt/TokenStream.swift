import Vocabulary

/// Serves random contiguous windows of the unlabeled byte stream.
///
/// Window `row` of step `step` starts at
/// `mix(mix(seed XOR mix(step)) XOR row) mod (count − length + 1)`
/// (`mix` is the SplitMix64 finaliser): a pure function of (seed, step, row).
/// No state advances, so the data order depends only on the seed, a resumed
/// run sees the same windows, and two arms with the same seed see the same
/// batches (the pairing requirement).
public struct TokenStream: Sendable {
    public let bytes: [UInt8]
    /// T + 1: inputs are the first T bytes of a window, targets the last T.
    public let windowLength: Int
    public let seed: UInt64

    public init(bytes: [UInt8], windowLength: Int, seed: UInt64) throws {
        try DatasetError.check(windowLength >= 2, "windowLength", "\(windowLength)", "must be ≥ 2 (T + 1 with T ≥ 1)")
        try DatasetError.check(bytes.count >= windowLength, "corpus bytes", "\(bytes.count)",
                               "must be at least the window length \(windowLength)")
        self.bytes = bytes
        self.windowLength = windowLength
        self.seed = seed
    }

    public func offset(step: Int, row: Int) -> Int {
        let positions = UInt64(bytes.count - windowLength + 1)
        let h = SplitMix64.mix(SplitMix64.mix(seed ^ SplitMix64.mix(UInt64(truncatingIfNeeded: step)))
                                 ^ UInt64(truncatingIfNeeded: row))
        // The modulo bias is below positions / 2⁶⁴: negligible for any corpus.
        return Int(h % positions)
    }

    public func window(step: Int, row: Int) -> ArraySlice<UInt8> {
        let start = offset(step: step, row: row)
        return bytes[start..<(start + windowLength)]
    }

    /// `rows` windows of step `step`, concatenated row-major: (rows, T + 1).
    public func batch(step: Int, rows: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(rows * windowLength)
        for row in 0..<rows { out.append(contentsOf: window(step: step, row: row)) }
        return out
    }
}
