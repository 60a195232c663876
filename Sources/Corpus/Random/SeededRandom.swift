/// A seeded SplitMix64 generator with named, independent streams.
///
/// Every generator and every split draws from its own stream,
/// `SeededRandom(seed: s, stream: "downstream/test")`, whose start state is
/// `mix(seed XOR FNV1a64(stream name))`. So changing how many items one file
/// holds never changes another file. The system RNG is never used, and neither
/// are the standard library's `random(in:using:)` / `shuffled(using:)`, whose
/// algorithms may change between Swift releases: ranges, picks and shuffles
/// below are implemented here so the output is fixed by the seed alone.
public struct SeededRandom: Sendable {
    private var state: UInt64

    public init(seed: UInt64, stream: String) {
        state = SeededRandom.mix(seed ^ FNV1a64.hash(stream))
    }

    /// The SplitMix64 finaliser: a bijective 64-bit mix, also used statelessly
    /// (e.g. `TokenStream` derives window offsets from (seed, step, row)).
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SeededRandom.mix(state)
    }

    /// Uniform in `0..<bound` by rejection (no modulo bias).
    public mutating func uniform(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "uniform(below:) needs a positive bound")
        // Largest multiple of `bound` that fits, minus one: accept r ≤ limit.
        let limit = UInt64.max - (UInt64.max % bound + 1) % bound
        while true {
            let r = next()
            if r <= limit { return r % bound }
        }
    }

    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(uniform(below: width))
    }

    public mutating func pick<T>(_ items: [T]) -> T {
        precondition(!items.isEmpty, "pick from an empty list")
        return items[Int(uniform(below: UInt64(items.count)))]
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool {
        unitDouble() < p
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func unitDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Fisher–Yates shuffle.
    public mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            let j = Int(uniform(below: UInt64(i + 1)))
            items.swapAt(i, j)
        }
    }
}
