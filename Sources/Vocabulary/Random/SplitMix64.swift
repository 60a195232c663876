import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): a 64-bit seeded generator with a one-word
/// state. The one seeded generator of vsweep: samplers, generators, splits, bootstrap
/// resampling and trial seeds all draw from it (the learner's xoshiro256** is seeded
/// from it), never from the system generator, so every result replays from its seed.
///
/// Ranges, picks and shuffles are implemented here rather than with the standard
/// library's `random(in:using:)` / `shuffled(using:)`, whose algorithms may change
/// between Swift releases: the output is fixed by the seed alone.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public static let golden: UInt64 = 0x9E37_79B9_7F4A_7C15

    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one (seed, stream) pair, e.g. (sweep seed, trial number): the
    /// stream is mixed into the state so neighbouring streams are unrelated.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SplitMix64(seed: seed ^ 0x6A09_E667_F3BC_C909)
        state = mixer.next() ^ SplitMix64.mix(stream &+ Self.golden)
    }

    /// A generator for a named stream (`"downstream/test"`): its start state is
    /// mix(seed XOR FNV-1a-64(name)), so adding items to one stream never changes another.
    public init(seed: UInt64, stream name: String) {
        state = SplitMix64.mix(seed ^ FNV1a64.hash(name))
    }

    public mutating func next() -> UInt64 {
        state &+= Self.golden
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finaliser: a bijective 64-bit mix, also used statelessly.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A double uniform on [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal draw (Box–Muller; uses two uniforms, returns one value).
    public mutating func nextGaussian() -> Double {
        let u1 = 1 - nextUnit()  // (0, 1], so the log is finite
        let u2 = nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Uniform in `0..<bound` by rejection: accept r ≤ limit, where limit + 1 is the
    /// largest multiple of `bound` that fits in 2⁶⁴, then r mod bound (no modulo bias).
    public mutating func uniform(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "uniform(below:) needs a positive bound")
        let limit = UInt64.max - (UInt64.max % bound + 1) % bound
        while true {
            let r = next()
            if r <= limit { return r % bound }
        }
    }

    /// Uniform in `0..<bound` as an index.
    public mutating func index(below bound: Int) -> Int {
        Int(uniform(below: UInt64(bound)))
    }

    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(uniform(below: width))
    }

    public mutating func pick<T>(_ items: [T]) -> T {
        precondition(!items.isEmpty, "pick from an empty list")
        return items[index(below: items.count)]
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool {
        nextUnit() < p
    }

    /// Fisher–Yates shuffle.
    public mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(i, index(below: i + 1))
        }
    }
}
