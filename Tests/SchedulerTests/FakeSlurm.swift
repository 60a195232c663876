import Foundation
import EventLoop

/// A private copy of scripts/fake-slurm in a temporary directory: its own job ids and
/// state, and switches (`hold`, `no-accounting`, `refuse`, `squeue-down`) that touch only this copy.
/// `stop()` kills the process groups of the jobs it started that have not ended.
final class FakeSlurm {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/fake-slurm")

    let root: URL
    var bin: String { root.appendingPathComponent("bin").path }
    var state: URL { root.appendingPathComponent("bin/state") }
    var spool: String { root.appendingPathComponent("spool").path }

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

    func settings(poll: Duration = .milliseconds(20), unaccounted: Int = 3) -> SlurmSettings {
        SlurmSettings(binDirectory: bin, spoolDirectory: spool, pollInterval: poll, unaccountedPollLimit: unaccounted)
    }

    /// Creates a switch file (`hold`, `no-accounting`, `refuse`, `squeue-down`) with `text`.
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

    func stop() {
        for pid in runningPids() { kill(-pid, SIGKILL) }
        try? FileManager.default.removeItem(at: root)
    }
}
