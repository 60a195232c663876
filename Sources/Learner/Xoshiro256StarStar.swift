import Vocabulary

/// xoshiro256** seeded through SplitMix64: a small, fast, reproducible
/// generator. Streams derived from (seed, stream id) never overlap in practice
/// and never depend on the process (unlike the system generator).
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64, stream: UInt64 = 0) {
        var seeder = SplitMix64(seed: seed ^ (stream &* SplitMix64.golden))
        s = (seeder.next(), seeder.next(), seeder.next(), seeder.next())
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Standard normal by Box–Muller (one value per call; the pair's twin is dropped
    /// so the stream position is a simple function of the number of calls).
    public mutating func normal() -> Double {
        let u1 = max(uniform(), 0x1.0p-60), u2 = uniform()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }
}

import Foundation
@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Foundation.cos(x) }
