import Vocabulary
import XCTest
@testable import Search

final class GridSamplerTests: XCTestCase {
    func testWalksRowMajorSkippingTakenPointsAndRunsOut() throws {
        let space = try SearchSpace([
            .categorical("opt", [.string("x"), .string("y")]),
            .integer("n", low: 1, high: 3),
        ])
        let grid = GridSampler()
        XCTAssertEqual(try grid.size(of: space), 6)
        func point(_ opt: String, _ n: Int) -> ParamAssignment { ["opt": .string(opt), "n": .int(n)] }

        XCTAssertEqual(try grid.sample(space: space, trialNumber: 0, history: []), point("x", 1))
        // (x, 1) finished and (x, 2) still running: both are taken.
        let history = [
            finished(0, point("x", 1), 0.5),
            Observation(trialNumber: 1, params: point("x", 2), state: .running),
        ]
        XCTAssertEqual(try grid.sample(space: space, trialNumber: 2, history: history), point("x", 3))
        // A gap left by a missing trial is filled first.
        XCTAssertEqual(try grid.sample(space: space, trialNumber: 5, history: [finished(0, point("x", 1), 1)]),
                       point("x", 2))
        let all = [("x", 1), ("x", 2), ("x", 3), ("y", 1), ("y", 2), ("y", 3)].enumerated().map {
            finished($0.offset, point($0.element.0, $0.element.1), 0)
        }
        XCTAssertEqual(try grid.sample(space: space, trialNumber: 5, history: Array(all.prefix(5))), point("y", 3))
        XCTAssertNil(try grid.sample(space: space, trialNumber: 6, history: all))
    }

    func testContinuousGridsAreEvenlySpacedInclusive() throws {
        let space = try SearchSpace([
            .uniform("a", low: 0, high: 1),
            .logUniform("lr", low: 1e-3, high: 1e-1),
            .integer("w", low: 1, high: 100, log: true),
            .fixed("f", .bool(true)),
        ])
        let grids = try GridSampler(gridPoints: ["a": 3, "lr": 3, "w": 3]).grids(for: space)
        XCTAssertEqual(grids[0], [.double(0), .double(0.5), .double(1)])
        XCTAssertEqual(grids[1].first, .double(1e-3))
        XCTAssertEqual(grids[1].last, .double(1e-1))
        XCTAssertEqual(grids[1][1].doubleValue ?? 0, 1e-2, accuracy: 1e-15)
        XCTAssertEqual(grids[2], [.int(1), .int(10), .int(100)])
        XCTAssertEqual(grids[3], [.bool(true)])
    }

    func testMissingOrUnknownGridSettingsAreClearErrors() throws {
        let space = try SearchSpace([.uniform("learner.lr", low: 0, high: 1)])
        XCTAssertThrowsError(try GridSampler().sample(space: space, trialNumber: 0, history: [])) { error in
            XCTAssertEqual("\(error)",
                           "parameter learner.lr: a continuous parameter needs a gridPoints count (>= 2) for the grid sampler")
        }
        XCTAssertThrowsError(try GridSampler(gridPoints: ["learner.lr": 1]).grids(for: space)) { error in
            XCTAssertEqual("\(error)", "parameter learner.lr: gridPoints 1 must be >= 2")
        }
        XCTAssertThrowsError(try GridSampler(gridPoints: ["learner.lr": 2, "x": 2]).grids(for: space)) { error in
            XCTAssertEqual("\(error)", "grid setting gridPoints.x: names no parameter of the search space")
        }
    }
}
