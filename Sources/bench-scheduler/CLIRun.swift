import Foundation
import SweepStore

#if canImport(Glibc)
import Glibc
#endif

/// One `vsweep run --quiet` of the benchmark's workload as a child process, its output
/// on a pipe (as under a job runner). Its own CPU (not its engines') is read from
/// /proc/<pid>/stat: at trial ends (counted from its log lines) for the flatness
/// windows, and once more after its output closes, while it is a zombie not yet
/// reaped, for the total.
enum CLIRun {
    struct Result {
        var status: Int32
        var cpuSeconds: Double
        var reports: Int
        /// CPU per trial over the first and last `window` trial ends, milliseconds.
        var first: Double
        var last: Double
    }

    static func measure(vsweep: String, specText: String, directory: String, window: Int) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: vsweep) else {
            throw NSError(domain: "bench-scheduler", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(vsweep) is not built"])
        }
        let specPath = directory + "/cli-spec.yaml"
        let database = directory + "/cli.sqlite"
        try Data(specText.utf8).write(to: URL(fileURLWithPath: specPath))
        let argv = [vsweep, "run", specPath, "--db", database, "--runs", directory + "/cli-runs", "--quiet"]

        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw posixError("pipe") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        var pid: pid_t = 0
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        let spawned = posix_spawn(&pid, vsweep, &actions, nil, cArgs, environ)
        close(fds[1])
        guard spawned == 0 else { close(fds[0]); throw posixError("posix_spawn \(vsweep)") }

        var ends: [Double] = []
        var pending = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fds[0], &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            pending.append(contentsOf: buffer[0..<n])
            while let newline = pending.firstIndex(of: 10) {
                if isTrialEnd(pending[..<newline]) { ends.append(cpuSeconds(pid: pid)) }
                pending.removeSubrange(...newline)
            }
        }
        close(fds[0])
        let total = cpuSeconds(pid: pid)  // a zombie until waitpid: its times are final
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}

        let store = try SweepStore.open(path: database)
        var reports = 0
        for trial in try store.trials(sweepID: 1) { reports += try store.reports(trialID: trial.id).count }
        var first = 0.0, last = 0.0
        if ends.count > window {
            first = (ends[window] - ends[0]) * 1000 / Double(window)
            last = (ends[ends.count - 1] - ends[ends.count - 1 - window]) * 1000 / Double(window)
        }
        return Result(status: (status >> 8) & 0xff, cpuSeconds: total, reports: reports, first: first, last: last)
    }

    /// "trial N <outcome> (attempt …": the line the scheduler logs when a trial ends.
    private static func isTrialEnd(_ line: ArraySlice<UInt8>) -> Bool {
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("trial ") else { return false }
        let words = text.split(separator: " ", maxSplits: 3)
        guard words.count >= 3, Int(words[1]) != nil else { return false }
        return ["completed", "stopped_early", "failed", "timed_out", "cancelled"].contains(words[2])
    }

    /// utime + stime of the process itself (not its children), from /proc/<pid>/stat.
    private static func cpuSeconds(pid: pid_t) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14, stime 15 (1-based).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    private static func posixError(_ what: String) -> NSError {
        NSError(domain: "bench-scheduler", code: Int(errno),
                userInfo: [NSLocalizedDescriptionKey: "\(what): \(String(cString: strerror(errno)))"])
    }
}
