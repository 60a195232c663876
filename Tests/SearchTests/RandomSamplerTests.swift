import Vocabulary
import XCTest
@testable import Search

final class RandomSamplerTests: XCTestCase {
    func testSplitMix64MatchesTheReferenceOutputs() {
        // Vigna's splitmix64.c with state 0.
        var generator = SplitMix64(seed: 0)
        XCTAssertEqual(generator.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(generator.next(), 0x6E78_9E6A_A1B9_65F4)
        XCTAssertEqual(generator.next(), 0x06C4_5D18_8009_454F)
    }

    func testPointMatchesTheReferenceScript() throws {
        // scripts/reference/search_reference.py: RandomSampler(seed: 42), trial 7.
        let params = try XCTUnwrap(RandomSampler(seed: 42).sample(space: mixedSpace(), trialNumber: 7, history: []))
        guard case .double(let x) = params["x"], case .double(let lr) = params["learner.lr"] else {
            return XCTFail("wrong kinds: \(params)")
        }
        XCTAssertEqual(x, 8.313363411847508, accuracy: 1e-12)
        XCTAssertEqual(lr, 0.03833249983597657, accuracy: 1e-15)
        XCTAssertEqual(params["n"], .int(6))
        XCTAssertEqual(params["opt"], .string("adam"))
        XCTAssertEqual(params["seed"], .int(3))
    }

    func testDependsOnlyOnSeedAndTrialNumber() throws {
        let space = try mixedSpace()
        let sampler = RandomSampler(seed: 5)
        let alone = sampler.sample(space: space, trialNumber: 3, history: [])
        let afterOthers = sampler.sample(space: space, trialNumber: 3,
                                         history: [finished(0, ["x": .double(1)], 2)])
        XCTAssertEqual(alone, afterOthers)
        XCTAssertNotEqual(alone, sampler.sample(space: space, trialNumber: 4, history: []))
        XCTAssertNotEqual(alone, RandomSampler(seed: 6).sample(space: space, trialNumber: 3, history: []))
    }

    func testDrawsCoverTheDomainUniformly() throws {
        let space = try SearchSpace([.integer("n", low: 1, high: 4)])
        var counts = [Int: Int]()
        for trial in 0..<4000 {
            guard case .int(let n) = RandomSampler(seed: 1).sample(space: space, trialNumber: trial, history: [])?["n"]
            else { return XCTFail("not an int") }
            counts[n, default: 0] += 1
        }
        XCTAssertEqual(Set(counts.keys), [1, 2, 3, 4])
        // Each of 4 values expects 1000 draws (sd ≈ 27): 850...1150 is over 5 sd.
        for count in counts.values { XCTAssertTrue((850...1150).contains(count), "\(counts)") }
    }
}
