import Foundation
import SweepStore
import XCTest

/// Two sweeps, each allowed two trials at once, on a daemon with two slots.
final class SlotSharingTests: XCTestCase {
    func testTwoSweepsShareTwoSlotsFairly() throws {
        let daemon = try DaemonFixture(slots: 2)
        try daemon.start()
        defer { daemon.stop() }
        let trials = 8
        for name in ["share-a", "share-b"] {
            XCTAssertEqual(try daemon.http.post("/api/v1/sweeps", json: ["spec": daemon.spec(name: name, trials: trials)]).status, 201)
        }
        try waitUntil("both sweeps finish", seconds: 300) {
            let list = try daemon.http.get("/api/v1/sweeps").object["sweeps"] as? [[String: Any]] ?? []
            return list.filter { $0["state"] as? String == "finished" }.count == 2
        }
        XCTAssertEqual(try daemon.http.get("/metrics", token: .some(nil)).status, 401, "metrics need the token too")
        let metrics = try daemon.http.get("/metrics").text
        XCTAssertTrue(metrics.contains("vsweep_slots 2"), metrics)
        XCTAssertTrue(metrics.contains(#"vsweep_sweeps{state="finished"} 2"#), metrics)
        let reported = metrics.split(separator: "\n").first { $0.hasPrefix("vsweep_reports_total ") }
            .flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        XCTAssertGreaterThan(reported, 0, "report counters fed by the sweeps' loops")
        XCTAssertTrue(metrics.contains("vsweep_report_processing_seconds_bucket"), metrics)
        let latencies = metrics.split(separator: "\n").first { $0.hasPrefix("vsweep_report_latency_seconds_count") }
            .flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        XCTAssertEqual(latencies, reported, "one latency (line read to commit) per recorded report")
        let store = try daemon.openStore()
        var intervals: [(sweep: String, start: Date, end: Date)] = []
        for name in ["share-a", "share-b"] {
            let sweep = try XCTUnwrap(try store.sweep(named: name))
            for trial in try store.trials(sweepID: sweep.id) {
                for attempt in try store.attempts(trialID: trial.id) {
                    intervals.append((name, attempt.startedAt, try XCTUnwrap(attempt.endedAt)))
                }
            }
        }
        // Never more than the machine's two slots at once, across both sweeps.
        let events = intervals.flatMap { [($0.start, 1), ($0.end, -1)] }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        var running = 0, most = 0
        for (_, delta) in events {
            running += delta
            most = max(most, running)
        }
        XCTAssertLessThanOrEqual(most, 2, "slots are shared, not per sweep")
        // Fair: from the moment both run until either starts its last trial, each
        // holds about half of the slot time (equal priorities).
        let windowStart = ["share-a", "share-b"].map { n in intervals.filter { $0.sweep == n }.map(\.start).min()! }.max()!
        let windowEnd = ["share-a", "share-b"].map { n in intervals.filter { $0.sweep == n }.map(\.start).max()! }.min()!
        XCTAssertLessThan(windowStart, windowEnd, "the two sweeps ran side by side")
        func occupancy(_ name: String) -> Double {
            intervals.filter { $0.sweep == name }.reduce(0) { sum, i in
                sum + max(0, min(i.end, windowEnd).timeIntervalSince(max(i.start, windowStart)))
            }
        }
        let a = occupancy("share-a"), b = occupancy("share-b")
        let shareA = a / (a + b)
        XCTAssertTrue((0.3...0.7).contains(shareA), "slot time while both had work: a \(a) s, b \(b) s")
    }

    func testATrialTakesItsThreadsPerTrialSlots() throws {
        let daemon = try DaemonFixture(slots: 2)
        try daemon.start()
        defer { daemon.stop() }
        let wide = daemon.spec(name: "wide", trials: 4).replacingOccurrences(of: "parallel: {trials: 2}",
                                                                            with: "parallel: {trials: 2, threads_per_trial: 2}")
        XCTAssertEqual(try daemon.http.post("/api/v1/sweeps", json: ["spec": wide]).status, 201)
        let tooWide = daemon.spec(name: "too-wide", trials: 1).replacingOccurrences(of: "parallel: {trials: 2}",
                                                                                   with: "parallel: {trials: 1, threads_per_trial: 3}")
        XCTAssertEqual(try daemon.http.post("/api/v1/sweeps", json: ["spec": tooWide]).status, 409, "more threads than the machine's slots")
        try waitUntil("the sweep finishes", seconds: 120) {
            try daemon.http.get("/api/v1/sweeps/wide").object["state"] as? String == "finished"
        }
        let store = try daemon.openStore()
        let sweep = try XCTUnwrap(try store.sweep(named: "wide"))
        var intervals: [(Date, Date)] = []
        for trial in try store.trials(sweepID: sweep.id) {
            for attempt in try store.attempts(trialID: trial.id) { intervals.append((attempt.startedAt, try XCTUnwrap(attempt.endedAt))) }
        }
        intervals.sort { $0.0 < $1.0 }
        for (a, b) in zip(intervals, intervals.dropFirst()) {
            XCTAssertLessThanOrEqual(a.1, b.0, "two 2-thread trials never ran at once on 2 slots")
        }
    }
}
