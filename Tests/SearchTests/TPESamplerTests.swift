import Vocabulary
import XCTest
@testable import Search

final class TPESamplerTests: XCTestCase {
    func testStartupTrialsAreTheRandomSamplersPoints() throws {
        let space = try mixedSpace()
        let tpe = try TPESampler(seed: 9)
        let history = (0..<9).map { finished($0, RandomSampler(seed: 9).sample(space: space, trialNumber: $0, history: [])!, Double($0)) }
        XCTAssertEqual(tpe.sample(space: space, trialNumber: 9, history: history),
                       RandomSampler(seed: 9).sample(space: space, trialNumber: 9, history: []))
    }

    /// One-dimensional history whose good trials sit near 0.8: the proposal should too.
    private func clusteredHistory() -> [Observation] {
        let xs: [Double] = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.78, 0.8, 0.82, 0.95, 0.1, 0.3, 0.5, 0.6, 0.9,
                            0.2, 0.4, 0.7, 0.0]
        return xs.enumerated().map { finished($0.offset, ["x": .double($0.element)], abs($0.element - 0.8)) }
    }

    func testProposalFollowsTheGoodTrials() throws {
        let space = try SearchSpace([.uniform("x", low: 0, high: 1)])
        for multivariate in [true, false] {
            for seed: UInt64 in 0..<10 {
                let params = try TPESampler(seed: seed, multivariate: multivariate)
                    .sample(space: space, trialNumber: 20, history: clusteredHistory())
                // γ(20) = 2 good trials (0.8, 0.78); the best l/g candidate is near them.
                let x = try XCTUnwrap(params?["x"]?.doubleValue)
                XCTAssertEqual(x, 0.8, accuracy: 0.15, "seed \(seed), multivariate \(multivariate)")
            }
        }
    }

    func testCategoricalProposalFollowsTheGoodChoice() throws {
        let space = try SearchSpace([.categorical("opt", [.string("sgd"), .string("adam"), .string("lion")])])
        let history = (0..<30).map { trial -> Observation in
            let choice = ["sgd", "adam", "lion"][trial % 3]
            return finished(trial, ["opt": .string(choice)], choice == "adam" ? 0.1 + Double(trial) * 0.001 : 1)
        }
        for seed: UInt64 in 0..<10 {
            XCTAssertEqual(try TPESampler(seed: seed).sample(space: space, trialNumber: 30, history: history)?["opt"],
                           .string("adam"))
        }
    }

    func testDeterministicAndIndependentOfHistoryOrder() throws {
        let space = try SearchSpace([.uniform("x", low: 0, high: 1)])
        let tpe = try TPESampler(seed: 4)
        let history = clusteredHistory()
        let first = tpe.sample(space: space, trialNumber: 20, history: history)
        XCTAssertEqual(first, tpe.sample(space: space, trialNumber: 20, history: history.reversed()))
        XCTAssertNotEqual(first, try TPESampler(seed: 5).sample(space: space, trialNumber: 20, history: history))
    }

    /// The joint (multivariate) proposal on Branin's 2-D space is a pure function of
    /// (seed, trial number, history): repeated, reordered, or made by another instance,
    /// it is the same point; another seed or the independent mode gives another point.
    func testJointProposalIsDeterministicForASeed() throws {
        let function = BenchmarkFunction.branin
        let history = (0..<30).map { trial -> Observation in
            let params = RandomSampler(seed: 77).sample(space: function.space, trialNumber: trial, history: [])!
            return finished(trial, params, function(params))
        }
        let proposal = try TPESampler(seed: 3).sample(space: function.space, trialNumber: 30, history: history)
        XCTAssertNotNil(proposal)
        XCTAssertEqual(proposal, try TPESampler(seed: 3).sample(space: function.space, trialNumber: 30, history: history))
        XCTAssertEqual(proposal, try TPESampler(seed: 3).sample(space: function.space, trialNumber: 30,
                                                                 history: history.reversed()))
        XCTAssertNotEqual(proposal, try TPESampler(seed: 4).sample(space: function.space, trialNumber: 30, history: history))
        XCTAssertNotEqual(proposal, try TPESampler(seed: 3).sample(space: function.space, trialNumber: 31, history: history))
        XCTAssertNotEqual(proposal, try TPESampler(seed: 3, multivariate: false)
            .sample(space: function.space, trialNumber: 30, history: history))
    }

    func testConstantLiarPushesAwayFromRunningTrials() throws {
        let space = try SearchSpace([.uniform("x", low: 0, high: 1)])
        let base = clusteredHistory()
        let running = (0..<20).map { Observation(trialNumber: 20 + $0, params: ["x": .double(0.8)], state: .running) }
        let liar = try TPESampler(seed: 2)
        let honest = try TPESampler(seed: 2, constantLiar: false)
        XCTAssertEqual(honest.sample(space: space, trialNumber: 40, history: base + running),
                       honest.sample(space: space, trialNumber: 40, history: base))
        XCTAssertNotEqual(liar.sample(space: space, trialNumber: 40, history: base + running),
                          liar.sample(space: space, trialNumber: 40, history: base))
    }

    func testMixedSpaceProposalsStayInTheSpace() throws {
        let space = try mixedSpace()
        var history: [Observation] = []
        let tpe = try TPESampler(seed: 1)
        for trial in 0..<30 {
            let params = try XCTUnwrap(tpe.sample(space: space, trialNumber: trial, history: history))
            XCTAssertTrue(space.contains(params), "\(params)")
            history.append(finished(trial, params, params["x"]?.doubleValue ?? 0))
        }
    }

    func testSettingsAreValidated() {
        XCTAssertThrowsError(try TPESampler(seed: 0, startupTrials: 0)) { error in
            XCTAssertEqual("\(error)", "tpe setting startupTrials: 0 must be >= 1")
        }
        XCTAssertThrowsError(try TPESampler(seed: 0, candidateCount: 0))
        XCTAssertThrowsError(try TPESampler(seed: 0, priorWeight: 0))
    }
}
