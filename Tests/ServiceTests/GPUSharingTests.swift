import Foundation
import SweepStore
import XCTest

/// GPUs owned by the daemon (`--gpus`, fake ids: the noop engine only logs the
/// `CUDA_VISIBLE_DEVICES` it was given) leased to trials across sweeps.
final class GPUSharingTests: XCTestCase {
    /// One attempt's GPUs (from the engine's stderr line) and when it held them (store).
    private struct Lease {
        var sweep: String
        var trial: Int64
        var gpus: [String]
        var start: Date
        var end: Date
    }

    private func gpuSpec(_ daemon: DaemonFixture, name: String, trials: Int, parallel: String) -> String {
        daemon.spec(name: name, trials: trials).replacingOccurrences(of: "parallel: {trials: 2}", with: "parallel: \(parallel)")
    }

    /// Every attempt of `sweeps`, with the GPUs its engine saw. A trial with several
    /// attempts logs one line per started attempt (a re-attached attempt logs none).
    private func leases(_ daemon: DaemonFixture, sweeps: [String]) throws -> [Lease] {
        let store = try daemon.openStore()
        var result: [Lease] = []
        for name in sweeps {
            let sweep = try XCTUnwrap(try store.sweep(named: name))
            for trial in try store.trials(sweepID: sweep.id) {
                let log = (try? String(contentsOfFile: "\(daemon.runs)/\(name)/trial-\(trial.number)/stderr.log",
                                       encoding: .utf8)) ?? ""
                let seen = log.split(separator: "\n").compactMap { line -> [String]? in
                    guard let range = line.range(of: "CUDA_VISIBLE_DEVICES=") else { return nil }
                    let value = line[range.upperBound...]
                    return value.isEmpty ? [] : value.split(separator: ",").map(String.init)
                }
                let attempts = try store.attempts(trialID: trial.id)
                XCTAssertEqual(seen.count, attempts.count, "\(name) trial \(trial.number): one line per started attempt")
                for (attempt, gpus) in zip(attempts, seen) {
                    result.append(Lease(sweep: name, trial: trial.number, gpus: gpus, start: attempt.startedAt,
                                        end: try XCTUnwrap(attempt.endedAt)))
                }
            }
        }
        return result
    }

    /// No GPU held by two attempts at once.
    private func assertNoOverlap(_ leases: [Lease], file: StaticString = #filePath, line: UInt = #line) {
        for gpu in Set(leases.flatMap(\.gpus)) {
            let holding = leases.filter { $0.gpus.contains(gpu) }.sorted { $0.start < $1.start }
            for (a, b) in zip(holding, holding.dropFirst()) {
                XCTAssertLessThanOrEqual(a.end, b.start, "GPU \(gpu): \(a.sweep) trial \(a.trial) and \(b.sweep) trial \(b.trial) overlap",
                                         file: file, line: line)
            }
        }
    }

    func testTwoSweepsShareTwoGPUsWithoutOverlapAndFairly() throws {
        let daemon = try DaemonFixture(slots: 4)
        try daemon.start(["--gpus", "0,1"])
        defer { daemon.stop() }
        let health = try daemon.http.get("/api/v1/health").object
        XCTAssertEqual((health["gpus"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, ["0", "1"])
        for name in ["gpu-a", "gpu-b"] {
            let spec = gpuSpec(daemon, name: name, trials: 8, parallel: "{trials: 2, gpus: [0, 1]}")
            XCTAssertEqual(try daemon.http.post("/api/v1/sweeps", json: ["spec": spec]).status, 201)
        }
        let cpu = gpuSpec(daemon, name: "cpu-only", trials: 2, parallel: "{trials: 1}")
        XCTAssertEqual(try daemon.http.post("/api/v1/sweeps", json: ["spec": cpu]).status, 201)
        try waitUntil("the three sweeps finish", seconds: 300) {
            let list = try daemon.http.get("/api/v1/sweeps").object["sweeps"] as? [[String: Any]] ?? []
            return list.filter { $0["state"] as? String == "finished" }.count == 3
        }
        let all = try leases(daemon, sweeps: ["gpu-a", "gpu-b", "cpu-only"])
        let gpu = all.filter { $0.sweep != "cpu-only" }
        XCTAssertEqual(gpu.count, 16)
        for lease in gpu { XCTAssertEqual(lease.gpus.count, 1, "gpus_per_trial 1") }
        XCTAssertTrue(all.filter { $0.sweep == "cpu-only" }.allSatisfy { $0.gpus.isEmpty },
                      "a sweep without parallel.gpus sees none of the daemon's GPUs")
        assertNoOverlap(gpu)
        // Fair: while both had work, each held about half of the GPU time (equal priorities).
        let names = ["gpu-a", "gpu-b"]
        let windowStart = names.map { n in gpu.filter { $0.sweep == n }.map(\.start).min()! }.max()!
        let windowEnd = names.map { n in gpu.filter { $0.sweep == n }.map(\.start).max()! }.min()!
        XCTAssertLessThan(windowStart, windowEnd, "the two sweeps ran side by side")
        func occupancy(_ name: String) -> Double {
            gpu.filter { $0.sweep == name }.reduce(0) { sum, i in
                sum + max(0, min(i.end, windowEnd).timeIntervalSince(max(i.start, windowStart)))
            }
        }
        let a = occupancy("gpu-a"), b = occupancy("gpu-b")
        XCTAssertTrue((0.3...0.7).contains(a / (a + b)), "GPU time while both had work: a \(a) s, b \(b) s")
        let metrics = try daemon.http.get("/metrics").text
        XCTAssertTrue(metrics.contains("vsweep_gpus 2"), metrics)
    }

    func testSeveralGPUsPerTrialAndRefusals() throws {
        let daemon = try DaemonFixture(slots: 4)
        try daemon.start(["--gpus", "0,1,2"])
        defer { daemon.stop() }
        let unknown = gpuSpec(daemon, name: "unknown-gpu", trials: 1, parallel: "{trials: 1, gpus: [7]}")
        let refused = try daemon.http.post("/api/v1/sweeps", json: ["spec": unknown])
        XCTAssertEqual(refused.status, 409)
        XCTAssertTrue(refused.text.contains("GPU 7"), refused.text)
        let pairs = gpuSpec(daemon, name: "pairs", trials: 6, parallel: "{trials: 2, gpus: [0, 1, 2], gpus_per_trial: 2}")
        let singles = gpuSpec(daemon, name: "singles", trials: 6, parallel: "{trials: 2, gpus: [1, 2]}")
        for spec in [pairs, singles] { XCTAssertEqual(try daemon.http.post("/api/v1/sweeps", json: ["spec": spec]).status, 201) }
        try waitUntil("both sweeps finish", seconds: 300) {
            let list = try daemon.http.get("/api/v1/sweeps").object["sweeps"] as? [[String: Any]] ?? []
            return list.filter { $0["state"] as? String == "finished" }.count == 2
        }
        let all = try leases(daemon, sweeps: ["pairs", "singles"])
        for lease in all where lease.sweep == "pairs" {
            XCTAssertEqual(Set(lease.gpus).count, 2, "two distinct GPUs per trial: \(lease.gpus)")
        }
        for lease in all where lease.sweep == "singles" {
            XCTAssertEqual(lease.gpus.count, 1)
            XCTAssertTrue(Set(lease.gpus).isSubset(of: ["1", "2"]), "only its own parallel.gpus: \(lease.gpus)")
        }
        assertNoOverlap(all)
    }

    func testReattachedTrialsKeepTheirGPUsAfterKillNine() throws {
        let daemon = try DaemonFixture(slots: 4)
        try daemon.start(["--gpus", "0,1"])
        let spec = { (name: String) in
            self.gpuSpec(daemon, name: name, trials: 6, parallel: "{trials: 2, gpus: [0, 1]}")
                .replacingOccurrences(of: "sleep_ms_per_report: 30", with: "sleep_ms_per_report: 60")
        }
        XCTAssertEqual(try daemon.http.post("/api/v1/sweeps", json: ["spec": spec("keep-a")]).status, 201)
        XCTAssertEqual(try daemon.http.post("/api/v1/sweeps", json: ["spec": spec("keep-b")]).status, 201)
        let store = try daemon.openStore()
        try waitUntil("two trials run", seconds: 120) {
            try ["keep-a", "keep-b"].compactMap { try store.sweep(named: $0) }
                .reduce(0) { $0 + (try store.trials(sweepID: $1.id, state: .running, limit: 10).count) } == 2
        }
        daemon.kill9()
        try daemon.start(["--gpus", "0,1"])
        defer { daemon.stop() }
        try waitUntil("both sweeps finish after the restart", seconds: 300) {
            let list = try daemon.http.get("/api/v1/sweeps").object["sweeps"] as? [[String: Any]] ?? []
            return list.filter { $0["state"] as? String == "finished" }.count == 2
        }
        XCTAssertTrue(daemon.log.contains("re-attached"), daemon.log)
        assertNoOverlap(try leases(daemon, sweeps: ["keep-a", "keep-b"]))
    }
}
