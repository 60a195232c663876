import Foundation
import Hummingbird
import SweepStore

/// `GET /api/v1/events`: server-sent events. The stream polls the store's change stamp
/// (one indexed read on a WAL reader) every 250 ms and, when it moved, sends one
/// `change` event: every sweep's state and trial counts and, with `sweep=NAME`, that
/// sweep's reports since the last event (the live curves' cursor). Polling a reader
/// costs the schedulers nothing: they never wait for readers in WAL mode.
struct EventStream: Sendable {
    let store: SweepStore
    let daemon: ServiceDaemon

    struct SweepState: Encodable {
        var name: String
        var state: String
        var trials: [String: Int]
    }

    struct Change: Encodable {
        var stamp: String
        var sweeps: [SweepState]
        var reports: [ReportBody]
        var cursor: Int64
    }

    func response(_ query: Parameters) -> Response {
        let sweepName = query.get("sweep").flatMap { SweepName.isValid($0) ? $0 : nil }
        let after = query.get("after").flatMap(Int64.init) ?? -1
        // Bounded so that a forgotten client does not hold a connection forever.
        let seconds = min(3600, max(1, query.get("max_seconds").flatMap(Int.init) ?? 600))
        let store = self.store
        let daemon = self.daemon
        let body = ResponseBody { writer in
            var lastStamp = ""
            var cursor = after
            let deadline = ContinuousClock.now + .seconds(seconds)
            try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
            var sinceKeepAlive = 0
            while ContinuousClock.now < deadline {
                if let stamp = try? store.changeStamp(), stamp != lastStamp {
                    lastStamp = stamp
                    var reports: [ReportBody] = []
                    if let sweepName, let sweep = try? store.sweep(named: sweepName) {
                        if cursor < 0 { cursor = (try? store.latestReportID(sweepID: sweep.id)) ?? 0 }
                        let rows = (try? store.reports(sweepID: sweep.id, afterID: cursor, limit: 5000)) ?? []
                        reports = rows.map { ReportBody($0.report, trialNumber: $0.number) }
                        cursor = rows.last?.report.id ?? cursor
                    }
                    let change = Change(stamp: stamp, sweeps: Self.states(store: store, daemon: daemon),
                                        reports: reports, cursor: max(cursor, 0))
                    let data = (try? APIResponse.encoder.encode(change)) ?? Data()
                    try await writer.write(ByteBuffer(string: "event: change\ndata: \(String(decoding: data, as: UTF8.self))\n\n"))
                    sinceKeepAlive = 0
                } else {
                    sinceKeepAlive += 1
                    if sinceKeepAlive >= 60 {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        sinceKeepAlive = 0
                    }
                }
                try await Task.sleep(for: .milliseconds(250))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
    }

    static func states(store: SweepStore, daemon: ServiceDaemon) -> [SweepState] {
        let queue = daemon.snapshot
        return ((try? store.sweeps()) ?? []).map { sweep in
            let live = queue.last { $0.name == sweep.name && !$0.state.isTerminal }
            let counts = (try? store.trialCounts(sweepID: sweep.id)) ?? [:]
            return SweepState(name: sweep.name, state: live?.state.rawValue ?? sweep.state.rawValue,
                              trials: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }))
        }
    }
}
