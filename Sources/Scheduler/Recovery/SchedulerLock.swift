import Foundation
import SweepStore
#if canImport(Glibc)
import Glibc
#endif

/// One scheduler per database and per runs directory, held from the runner's creation
/// to the end of its run.
///
/// - `<database>.scheduler-lock`: an exclusive `flock` next to the database file. Start-up
///   recovery treats every running trial of the database as its own to re-attach or
///   finish, which is only right when no other scheduler uses the database, whatever
///   its `--runs`. A lock file rather than a row: the kernel drops it when its holder
///   dies (kill -9 included), so there is no stale owner to time out. The owner's pid,
///   host and start time are written into it for the refusal message. Like SQLite's WAL
///   (which needs shared memory), it is meant for a database on a local file system.
/// - `<runs>/.scheduler.lock`: the same for the runs directory (an in-memory database
///   has no file; two copies of one database file have the same identity).
/// - `<runs>/.vsweep-database-<id>`: names the database whose trial directories live
///   here (its `store_identity`), created on first use; another database is refused, so
///   two databases never overwrite each other's configs and checkpoints.
public final class SchedulerLock {
    private var descriptors: [Int32] = []

    public init(store: SweepStore, runsDirectory: String) throws {
        do {
            if let database = store.filePath {
                try take(database + ".scheduler-lock") { .databaseLocked(database: database, lockPath: $0, owner: $1) }
            }
            try FileManager.default.createDirectory(atPath: runsDirectory, withIntermediateDirectories: true)
            try take(runsDirectory + "/.scheduler.lock") { .runsDirectoryLocked(runs: runsDirectory, lockPath: $0, owner: $1) }
            try claim(runsDirectory, identity: try store.identity(), database: store.location)
        } catch {
            release()
            throw error
        }
    }

    deinit { release() }

    public func release() {
        for descriptor in descriptors {
            flock(descriptor, LOCK_UN)
            close(descriptor)
        }
        descriptors.removeAll()
    }

    /// Takes an exclusive lock on `path` and writes this process into it as the owner.
    private func take(_ path: String, refused: (String, String) -> SchedulerError) throws {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw SchedulerError.cannotLock(path: path, reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let owner = Self.readOwner(descriptor)
            close(descriptor)
            throw refused(path, owner)
        }
        descriptors.append(descriptor)
        let owner = Array(Self.ownerText.utf8)
        // Best effort: the lock, not the text, is what keeps a second scheduler out.
        if ftruncate(descriptor, 0) == 0 {
            _ = owner.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        }
    }

    /// Refuses a runs directory that belongs to another database; claims a new one.
    /// The identity is in the marker's name, so that claiming needs no free block (a
    /// full disk must pause the sweep, not refuse it); the database's path inside is
    /// for the message only.
    private func claim(_ runsDirectory: String, identity: String, database: String) throws {
        let prefix = ".vsweep-database-"
        let markers = (try? FileManager.default.contentsOfDirectory(atPath: runsDirectory))?
            .filter { $0.hasPrefix(prefix) } ?? []
        if let other = markers.first(where: { $0 != prefix + identity }) {
            let path = runsDirectory + "/" + other
            let owner = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw SchedulerError.runsDirectoryOwned(runs: runsDirectory, marker: path,
                                                    ownerID: String(other.dropFirst(prefix.count)),
                                                    ownerDatabase: owner.flatMap { $0.isEmpty ? nil : $0 } ?? "?")
        }
        guard markers.isEmpty else { return }
        let path = runsDirectory + "/" + prefix + identity
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw SchedulerError.cannotLock(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        let text = Array((database + "\n").utf8)
        _ = text.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    static var ownerText: String {
        let started = ISO8601DateFormatter().string(from: Date())
        return "pid \(getpid()) on \(ProcessInfo.processInfo.hostName) since \(started)"
    }

    private static func readOwner(_ descriptor: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return "an unknown process" }
        return String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

}
