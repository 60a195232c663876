/// SplitMix64 (Steele, Lea & Flood 2014) for bootstrap resampling.
///
/// `Search` has its own copy; `Analysis` may depend only on `SweepStore`, and the
/// resampling procedure must stay fixed because `scripts/reference/stats_reference.py`
/// replays it bit for bit: state += 0x9E3779B97F4A7C15, output = mix(state),
/// starting from state = seed.
struct BootstrapGenerator: Sendable {
    private(set) var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` by rejection: accept r ≤ limit, where limit + 1 is the
    /// largest multiple of `bound` that fits in 2⁶⁴, then return r mod bound (no
    /// modulo bias; the standard library's `random(in:)` may change between releases).
    mutating func index(below bound: Int) -> Int {
        precondition(bound > 0, "index(below:) needs a positive bound")
        let b = UInt64(bound)
        let limit = UInt64.max - (UInt64.max % b + 1) % b
        while true {
            let r = next()
            if r <= limit { return Int(r % b) }
        }
    }
}
