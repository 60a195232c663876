import XCTest
@testable import Search

final class HaltonSamplerTests: XCTestCase {
    func testIdentityPermutationsGiveThePlainRadicalInverse() {
        func plain(_ index: Int, _ base: Int) -> Double {
            let identity = Array(0..<base)
            return HaltonSampler.radicalInverse(
                index, base: base,
                digitPermutations: Array(repeating: identity, count: HaltonSampler.digitCount(base: base)))
        }
        // base 2: 1 → 0.1₂, 2 → 0.01₂, 3 → 0.11₂, 6 → 0.011₂
        XCTAssertEqual([1, 2, 3, 6].map { plain($0, 2) }, [0.5, 0.25, 0.75, 0.375])
        // base 3: 1 → 1/3, 2 → 2/3, 3 → 0.01₃ = 1/9, 4 → 0.11₃ = 4/9
        let base3 = [1, 2, 3, 4].map { plain($0, 3) }
        for (value, expected) in zip(base3, [1.0 / 3, 2.0 / 3, 1.0 / 9, 4.0 / 9]) {
            XCTAssertEqual(value, expected, accuracy: 1e-15)
        }
        XCTAssertEqual(HaltonSampler.digitCount(base: 2), 54)
        XCTAssertEqual(HaltonSampler.digitCount(base: 3), 34)  // 3^-34 < 2^-53 ≤ 3^-33
    }

    func testScrambledPointsKeepHaltonStratification() {
        // The first b^m points put exactly one coordinate in each [j/b^m, (j+1)/b^m).
        for seed: UInt64 in [0, 1, 99] {
            let sampler = HaltonSampler(seed: seed)
            let points = (0..<25).map { sampler.point(index: $0, dimensions: 3) }
            XCTAssertEqual(Set(points.prefix(8).map { Int($0[0] * 8) }).count, 8)
            XCTAssertEqual(Set(points.prefix(9).map { Int($0[1] * 9) }).count, 9)
            XCTAssertEqual(Set(points.map { Int($0[2] * 25) }).count, 25)
            XCTAssertTrue(points.allSatisfy { $0.allSatisfy { (0..<1).contains($0) } })
        }
    }

    func testSeedsGiveDifferentDeterministicSequences() throws {
        let space = try mixedSpace()
        let a = try HaltonSampler(seed: 1).sample(space: space, trialNumber: 4, history: [])
        XCTAssertEqual(a, try HaltonSampler(seed: 1).sample(space: space, trialNumber: 4, history: []))
        XCTAssertNotEqual(a, try HaltonSampler(seed: 2).sample(space: space, trialNumber: 4, history: []))
        XCTAssertTrue(space.contains(try XCTUnwrap(a)))
    }

    func testTooManyDimensionsOrNegativeTrialsAreErrors() throws {
        let space = try SearchSpace((0..<33).map { try .uniform("p\($0)", low: 0, high: 1) })
        XCTAssertThrowsError(try HaltonSampler(seed: 0).sample(space: space, trialNumber: 0, history: [])) { error in
            XCTAssertEqual("\(error)", "halton sampler: at most 32 searched parameters, got 33")
        }
        XCTAssertThrowsError(try HaltonSampler(seed: 0).sample(space: mixedSpace(), trialNumber: -1, history: []))
    }
}
