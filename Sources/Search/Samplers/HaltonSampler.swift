import Vocabulary

/// Quasi-random points from a scrambled Halton sequence, mapped through each
/// parameter's prior (`Parameter.value(atUnit:)`).
///
/// Dimension d (the d-th searched parameter) uses the d-th prime as its base. Point
/// i (= the trial number) has coordinate Σ_k π_{d,k}(a_k) · b^(−k), where a_k are the
/// base-b digits of i (least significant first) and each π_{d,k} is a permutation of
/// {0, …, b−1} drawn from SplitMix64(seed) — "random digit scrambling". Scrambling
/// keeps Halton's stratification (the first b^m points put exactly one coordinate in
/// each interval [j/b^m, (j+1)/b^m)) while breaking the correlation between high
/// dimensions that plain Halton shows, and gives each seed a different sequence.
/// Digits are taken until b^(−k) < 2^(−53), so the point is exact to a double.
public struct HaltonSampler: Sampler {
    /// Each draw depends only on the seed and the trial number.
    public var readsHistory: Bool { false }

    /// The first 32 primes: the search space may have at most this many searched parameters.
    public static let primes: [Int] = [
        2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53,
        59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131,
    ]

    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    public func sample(space: SearchSpace, trialNumber: Int, history: [Observation]) throws -> ParamAssignment? {
        let dimensions = space.searchedParameters.count
        guard dimensions <= Self.primes.count else {
            throw SearchSpaceError(subject: "halton sampler",
                                   rule: "at most \(Self.primes.count) searched parameters, got \(dimensions)")
        }
        guard trialNumber >= 0 else {
            throw SearchSpaceError(subject: "halton sampler", rule: "trial number \(trialNumber) must be >= 0")
        }
        return space.assignment(atUnitPoint: point(index: trialNumber, dimensions: dimensions))
    }

    /// The scrambled point of index `index` in the first `dimensions` dimensions.
    public func point(index: Int, dimensions: Int) -> [Double] {
        var generator = SplitMix64(seed: seed)
        return (0..<dimensions).map { d in
            let base = Self.primes[d]
            let permutations = (0..<Self.digitCount(base: base)).map { _ in
                Self.permutation(count: base, using: &generator)
            }
            return Self.radicalInverse(index, base: base, digitPermutations: permutations)
        }
    }

    /// Σ_k π_k(a_k) b^(−k) over `digitPermutations.count` digits; with identity
    /// permutations this is the plain van der Corput radical inverse.
    static func radicalInverse(_ index: Int, base: Int, digitPermutations: [[Int]]) -> Double {
        var rest = index
        var scale = 1.0 / Double(base)
        var value = 0.0
        for permutation in digitPermutations {
            value += Double(permutation[rest % base]) * scale
            rest /= base
            scale /= Double(base)
        }
        return min(value, 1.0.nextDown)
    }

    // Smallest k with b^(−k) < 2^(−53).
    static func digitCount(base: Int) -> Int {
        var count = 0
        var scale = 1.0
        while scale >= 0x1.0p-53 {
            scale /= Double(base)
            count += 1
        }
        return count
    }

    // Fisher–Yates.
    static func permutation(count: Int, using generator: inout SplitMix64) -> [Int] {
        var values = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(generator.next() % UInt64(i + 1))
            values.swapAt(i, j)
        }
        return values
    }
}
