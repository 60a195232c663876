import Foundation
import SweepStore
import XCTest

/// Sweeps submitted to a daemon over loopback HTTP: read while they run, paused,
/// resumed, cancelled; the daemon killed with SIGKILL mid-sweep and restarted.
final class ServiceLifecycleTests: XCTestCase {
    func testSubmitReadPauseResumeCancel() throws {
        let daemon = try DaemonFixture(slots: 2)
        try daemon.start()
        defer { daemon.stop() }
        let http = daemon.http

        let submitted = try http.post("/api/v1/sweeps", json: ["spec": daemon.spec(name: "life", trials: 40), "priority": 2])
        XCTAssertEqual(submitted.status, 201, submitted.text)
        XCTAssertEqual(try http.post("/api/v1/sweeps", json: ["spec": daemon.spec(name: "life", trials: 40)]).status, 409,
                       "the same name twice while it is live")

        // Read while it runs: a running trial, reports behind a cursor, the sweep detail.
        try waitUntil("a trial reports", seconds: 60) {
            let page = try http.get("/api/v1/sweeps/life/reports?after=0&limit=5")
            return !((page.object["reports"] as? [Any]) ?? []).isEmpty
        }
        let first = try http.get("/api/v1/sweeps/life/reports?after=0&limit=5").object
        let cursor = first["cursor"] as? Int ?? 0
        XCTAssertGreaterThan(cursor, 0)
        try waitUntil("newer reports arrive after the cursor", seconds: 60) {
            let next = try http.get("/api/v1/sweeps/life/reports?after=\(cursor)").object
            return ((next["reports"] as? [[String: Any]]) ?? []).allSatisfy { ($0["id"] as? Int ?? 0) > cursor }
                && !((next["reports"] as? [Any]) ?? []).isEmpty
        }
        let running = try http.get("/api/v1/sweeps/life/trials?state=running").object
        XCTAssertLessThanOrEqual(running["total"] as? Int ?? 99, 2, "two slots")
        let detail = try http.get("/api/v1/sweeps/life").object
        XCTAssertEqual(detail["state"] as? String, "running")
        XCTAssertEqual((detail["service"] as? [String: Any])?["priority"] as? Int, 2)

        // Pause: trials stop (re-queued), nothing runs, the entry is paused.
        XCTAssertEqual(try http.post("/api/v1/sweeps/life/pause").status, 200)
        try waitUntil("the sweep is paused", seconds: 60) {
            try http.get("/api/v1/sweeps/life").object["state"] as? String == "paused"
        }
        let store = try daemon.openStore()
        let sweep = try XCTUnwrap(try store.sweep(named: "life"))
        XCTAssertEqual(try store.trialCounts(sweepID: sweep.id)[.running] ?? 0, 0, "no trial runs while paused")
        XCTAssertEqual(DaemonFixture.strayProcesses(sweep: "life"), [])
        let endedWhilePaused = try store.trialCounts(sweepID: sweep.id).filter { $0.key.isTerminal }.values.reduce(0, +)

        // Resume: it runs again and makes progress.
        XCTAssertEqual(try http.post("/api/v1/sweeps/life/resume").status, 200)
        try waitUntil("trials end after resuming", seconds: 120) {
            try store.trialCounts(sweepID: sweep.id).filter { $0.key.isTerminal }.values.reduce(0, +) > endedWhilePaused
        }

        // Cancel: nothing left queued or running, the sweep recorded as cancelled.
        XCTAssertEqual(try http.post("/api/v1/sweeps/life/cancel").status, 200)
        try waitUntil("the sweep is cancelled", seconds: 60) {
            try http.get("/api/v1/sweeps/life").object["state"] as? String == "cancelled"
        }
        XCTAssertEqual(try store.sweep(named: "life")?.state, .cancelled)
        let counts = try store.trialCounts(sweepID: sweep.id)
        XCTAssertEqual((counts[.running] ?? 0) + (counts[.queued] ?? 0), 0, "\(counts)")
        XCTAssertEqual(DaemonFixture.strayProcesses(sweep: "life"), [])
        XCTAssertEqual(try http.post("/api/v1/sweeps/life/resume").status, 409, "a cancelled sweep stays cancelled")
    }

    func testKillNineMidSweepThenRestartLosesDuplicatesAndLeavesNothing() throws {
        let daemon = try DaemonFixture(slots: 2)
        try daemon.start()
        defer { daemon.stop() }
        let trials = 12
        XCTAssertEqual(try daemon.http.post("/api/v1/sweeps", json: ["spec": daemon.spec(name: "crash", trials: trials)]).status, 201)
        let store = try daemon.openStore()
        try waitUntil("trials run and some have ended", seconds: 120) {
            guard let sweep = try store.sweep(named: "crash") else { return false }
            let counts = try store.trialCounts(sweepID: sweep.id)
            return (counts[.running] ?? 0) > 0 && counts.filter { $0.key.isTerminal }.values.reduce(0, +) >= 2
        }
        daemon.kill9()

        try daemon.start()
        try waitUntil("the sweep finishes after the restart", seconds: 240) {
            try daemon.http.get("/api/v1/sweeps/crash").object["state"] as? String == "finished"
        }
        let sweep = try XCTUnwrap(try store.sweep(named: "crash"))
        let all = try store.trials(sweepID: sweep.id)
        XCTAssertEqual(all.map(\.number), Array(1...Int64(trials)), "numbers dense and unique: none lost, none duplicated")
        XCTAssertTrue(all.allSatisfy { $0.state == .completed || $0.state == .stoppedEarly }, "\(all.map(\.state))")
        for trial in all {
            let steps = try store.reports(trialID: trial.id).map { "\($0.attempt)/\($0.step)" }
            XCTAssertEqual(steps.count, Set(steps).count, "trial \(trial.number): no report recorded twice")
        }
        XCTAssertEqual(DaemonFixture.strayProcesses(sweep: "crash"), [], "no trial process left running")
        XCTAssertTrue(daemon.log.contains("resuming 1 sweep(s)"), daemon.log)

        let importance = try daemon.http.get("/api/v1/sweeps/crash/importance").object
        let entries = importance["importances"] as? [[String: Any]] ?? []
        XCTAssertEqual(Set(entries.compactMap { $0["param"] as? String }), ["x1", "x2"])
        XCTAssertEqual(importance["trials_used"] as? Int, all.filter { $0.state == .completed }.count)
        let total = entries.compactMap { $0["importance"] as? Double }.reduce(0, +)
        XCTAssertTrue(total == 0 || abs(total - 1) < 1e-9, "normalised: \(total)")
    }
}
