import Foundation
import SweepStore
import XCTest

/// A `vsweep serve` started by the test as a child process on a free loopback port,
/// in a fresh temporary directory. Stopped (SIGTERM, then SIGKILL after a deadline)
/// by `stop()`; `kill9()` kills it as a crash would.
final class DaemonFixture {
    static let binDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent().path
    static var vsweep: String { binDirectory + "/vsweep" }
    static var noopEngine: String { binDirectory + "/noop-engine" }

    let dir: String
    let slots: Int
    private(set) var process: Process?
    private(set) var http = LoopbackHTTP(port: 0, token: nil)

    var storage: String { dir + "/storage" }
    var database: String { storage + "/vsweep.sqlite" }
    var runs: String { dir + "/runs" }
    var logPath: String { dir + "/serve.log" }

    init(slots: Int) throws {
        dir = NSTemporaryDirectory() + "vsweep-serve-\(getpid())-\(UUID().uuidString.prefix(8))"
        self.slots = slots
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    /// Starts the daemon and waits (polling, with a deadline) until it answers health.
    func start(_ extraArguments: [String] = []) throws {
        try? FileManager.default.removeItem(atPath: storage + "/service/endpoint.json")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.vsweep)
        p.arguments = ["serve", "--storage", storage, "--runs", runs, "--port", "0", "--slots", String(slots)] + extraArguments
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        if !FileManager.default.fileExists(atPath: logPath) { FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        p.standardError = log
        p.standardOutput = log
        try p.run()
        process = p
        let discovery = storage + "/service/endpoint.json"
        try waitUntil("the daemon writes \(discovery)", seconds: 60) { FileManager.default.fileExists(atPath: discovery) }
        let data = try Data(contentsOf: URL(fileURLWithPath: discovery))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        let url = object["url"] as? String ?? ""
        guard let port = url.split(separator: ":").last.flatMap({ UInt16($0) }) else {
            throw HTTPTestError("endpoint.json has no port: \(url)")
        }
        let token = try String(contentsOfFile: storage + "/service/token", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        http = LoopbackHTTP(port: port, token: token)
        try waitUntil("health answers", seconds: 30) { (try? self.http.get("/api/v1/health").status) == 200 }
    }

    func kill9() {
        guard let p = process else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        process = nil
    }

    func stop() {
        guard let p = process else { return }
        kill(p.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(60)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        process = nil
    }

    func openStore() throws -> SweepStore { try SweepStore.open(path: database) }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// A noop-engine sweep spec: `trials` trials of 27 reports each `sleepMs` apart.
    func spec(name: String, trials: Int, parallel: Int = 2, sleepMs: Int = 30) -> String {
        """
        name: \(name)
        engine: [\(Self.noopEngine)]
        trial: {noop: {sleep_ms_per_report: \(sleepMs), checkpoint_every: 1}}
        space:
          x1: {uniform: [0, 1]}
          x2: {log_uniform: [1.0e-4, 1.0e-1]}
        search: {algorithm: random, seed: 3}
        stopping: {rule: asha, min_resource: 3, reduction_factor: 3, max_resource: 27}
        metric: {name: value, goal: maximize}
        budget: {updates: 27}
        limits: {max_trials: \(trials)}
        parallel: {trials: \(parallel)}
        retries: {max_attempts: 20}
        """
    }

    /// Trial processes of `sweep` still alive (found by the VSWEEP_TRIAL variable the
    /// scheduler gives every trial).
    static func strayProcesses(sweep: String) -> [Int32] {
        var found: [Int32] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                  let environ = FileManager.default.contents(atPath: "/proc/\(entry)/environ"),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8) else { continue }
            let state = stat.split(separator: ")").last?.split(separator: " ").first ?? ""
            if state == "Z" { continue }
            let marker = Data("VSWEEP_TRIAL=\(sweep)-".utf8)
            if environ.split(separator: 0).contains(where: { $0.starts(with: marker) }) { found.append(pid) }
        }
        return found
    }
}

/// Polls `condition` until it holds or `seconds` pass (then fails with `what`).
func waitUntil(_ what: String, seconds: Double, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return }
        usleep(50_000)
    }
    throw HTTPTestError("timed out after \(seconds) s waiting until \(what)")
}
