import Foundation
import EventLoop
import Executors

/// A Slurm the Slurm tests run against: `FakeSlurm` (scripts/fake-slurm, always) or
/// `RealSlurm` (a cluster started by scripts/test-slurm).
protocol SlurmUnderTest: AnyObject {
    /// Where sbatch, squeue, sacct and scancel are; nil: on PATH.
    var binDirectory: String? { get }
    var spool: String { get }
    /// Options every test job gets (a real job always needs a time limit).
    var sbatchArguments: [String] { get }
    /// Often enough for tests to run briskly; a real controller is asked at this rate.
    var pollSeconds: Double { get }
    /// Jobs of this cluster that are still queued or running.
    func activeJobs() -> Int
    func stop()
}

extension SlurmUnderTest {
    func settings(poll: Duration? = nil, unaccounted: Int = 3) -> SlurmSettings {
        SlurmSettings(binDirectory: binDirectory, sbatchArguments: sbatchArguments, spoolDirectory: spool,
                      pollInterval: poll ?? .milliseconds(Int64(pollSeconds * 1000)),
                      unaccountedPollLimit: unaccounted)
    }

    /// The spec's executor section for this cluster.
    var executorSpec: String {
        "executor: {kind: slurm, " + (binDirectory.map { "bin_dir: \($0), " } ?? "") + "poll_seconds: \(pollSeconds), "
            + "sbatch_args: [\(sbatchArguments.joined(separator: ", "))]}\n"
    }
}

/// A private copy of scripts/fake-slurm in a temporary directory: its own job ids and
/// state, and switches (`hold`, `no-accounting`, `purged`, `refuse`, `squeue-down`) that touch only this copy.
/// `stop()` kills the process groups of the jobs it started that have not ended.
final class FakeSlurm: SlurmUnderTest {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/fake-slurm")

    let root: URL
    var bin: String { root.appendingPathComponent("bin").path }
    var binDirectory: String? { bin }
    var state: URL { root.appendingPathComponent("bin/state") }
    var spool: String { root.appendingPathComponent("spool").path }
    let sbatchArguments = ["--partition=debug", "--time=00:10:00"]
    let pollSeconds = 0.02

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("fake-slurm-\(UUID().uuidString)")
        let bin = root.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        for name in ["common.sh", "sbatch", "squeue", "sacct", "scancel"] {
            try FileManager.default.copyItem(at: Self.scripts.appendingPathComponent(name),
                                             to: bin.appendingPathComponent(name))
        }
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
    }

    /// Creates a switch file (`hold`, `no-accounting`, `purged`, `refuse`, `squeue-down`) with `text`.
    func set(_ name: String, _ text: String = "") throws {
        try text.write(to: state.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func clear(_ name: String) throws {
        try FileManager.default.removeItem(at: state.appendingPathComponent(name))
    }

    /// The pids of jobs whose process is alive (not gone, not a zombie).
    func runningPids() -> [Int32] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: state.path)) ?? []
        return files.filter { $0.hasSuffix(".pid") }.compactMap { file -> Int32? in
            (try? String(contentsOf: state.appendingPathComponent(file), encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }.filter { pid in
            pid > 1 && (kill(pid, 0) == 0 || errno == EPERM) && ProcStat.read(pid: pid).map { !$0.isDead } == true
        }
    }

    func activeJobs() -> Int { runningPids().count }

    func stop() {
        for pid in runningPids() { kill(-pid, SIGKILL) }
        try? FileManager.default.removeItem(at: root)
    }
}

/// The one-node cluster scripts/test-slurm starts (slurmctld, slurmd, and with
/// accounting slurmdbd): its commands are on PATH and find it through `SLURM_CONF`,
/// which the script exports together with `VSWEEP_REAL_SLURM=1` (and
/// `VSWEEP_REAL_SLURM_ACCOUNTING=1` when slurmdbd runs). The cluster is the tests'
/// alone, so `stop()` cancels whatever is still queued in it.
final class RealSlurm: SlurmUnderTest {
    /// Why the real-cluster tests are skipped, or nil when a cluster is there.
    static var unavailable: String? {
        let environment = ProcessInfo.processInfo.environment
        guard environment["VSWEEP_REAL_SLURM"] == "1", environment["SLURM_CONF"] != nil else {
            return "no Slurm cluster: scripts/test-slurm starts one and runs these tests against it"
        }
        return nil
    }

    static var hasAccounting: Bool { ProcessInfo.processInfo.environment["VSWEEP_REAL_SLURM_ACCOUNTING"] == "1" }

    let root: String
    let binDirectory: String? = nil
    var spool: String { root + "/spool" }
    /// The time limit matters: a job whose processes vanish stays RUNNING until it.
    let sbatchArguments = ["--partition=debug", "--time=5"]
    let pollSeconds = 0.1

    init() throws {
        root = FileManager.default.temporaryDirectory.path + "/real-slurm-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// Runs a Slurm client command to its end; its stdout lines.
    static func run(_ argv: [String]) throws -> CommandOutput {
        try CommandRunner.run(Command(argv: argv, environment: ProcessEnvironment.current()), timeout: .seconds(60))
    }

    /// Ids of the jobs squeue lists as pending, running or completing.
    func jobIDs() -> [String] {
        ((try? Self.run(["squeue", "--noheader", "--format=%A"]))?.stdout ?? [])
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func activeJobs() -> Int { jobIDs().count }

    /// Polls `condition` every 0.2 s until it holds or the deadline passes; whether it held.
    static func waitUntil(deadlineSeconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(deadlineSeconds)
        while !condition() {
            if Date() > deadline { return false }
            usleep(200_000)
        }
        return true
    }

    func stop() {
        let ids = jobIDs()
        if !ids.isEmpty { _ = try? Self.run(["scancel"] + ids) }
        try? FileManager.default.removeItem(atPath: root)
    }
}
