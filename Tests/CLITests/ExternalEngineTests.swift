import Foundation
import SweepStore
import XCTest

/// An external engine (scripts/examples/toy_engine.py, plain Python) scheduled like
/// the built-in one: the example spec in sweeps/ runs as documented.
final class ExternalEngineTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    func testTheToyEngineSweepRunsUnderTheScheduler() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
            throw XCTSkip("python3 is not installed")
        }
        let dir = NSTemporaryDirectory() + "vsweep-external-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/toy.sqlite"
        let r = CLIFixture.run(["run", "sweeps/external-toy.yaml", "--db", db, "--runs", dir + "/runs", "--quiet"],
                               cwd: Self.packageRoot)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        let store = try SweepStore.open(path: db)
        let sweep = try XCTUnwrap(store.sweep(named: "external-toy"))
        let trials = try store.trials(sweepID: sweep.id)
        XCTAssertEqual(trials.count, 20)
        XCTAssertTrue(trials.allSatisfy { $0.state == .completed || $0.state == .stoppedEarly },
                      trials.map { "\($0.number) \($0.state) \($0.error ?? "")" }.joined(separator: "\n"))
        // The toy's loss is lowest near lr = 0.03: the best of 20 TPE trials lands within a decade.
        let best = try XCTUnwrap(store.best(sweepID: sweep.id).first)
        guard case .double(let lr)? = best.params["lr"] else { return XCTFail("\(best.params)") }
        XCTAssertLessThan(abs(log10(lr) - log10(0.03)), 1, "best lr \(lr)")
    }
}
