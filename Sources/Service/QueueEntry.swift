import Foundation

/// One submission to the service: a sweep or a comparison, its spec text and how it
/// shares the machine. Persisted in `storage/service/queue.json` at every change, so a
/// restarted daemon (even after kill -9) carries on from the same states.
public struct QueueEntry: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case sweep
        case comparison
    }

    /// `pausing` and `cancelling` last until the sweep's running trials have stopped;
    /// a restart finds them and finishes the move from the store.
    public enum State: String, Codable, Sendable, CaseIterable {
        case queued, running, pausing, paused, cancelling, cancelled, finished, failed

        public var isTerminal: Bool { self == .cancelled || self == .finished || self == .failed }
        /// States in which the daemon runs (or will run) a worker for the entry.
        var needsWorker: Bool { self == .running || self == .pausing || self == .cancelling }
    }

    public var id: Int
    public var name: String
    public var kind: Kind
    public var spec: String
    /// Weight in the fair share of slots (higher gets more), >= 1.
    public var priority: Int
    /// At most this many slots at once; nil: no cap beyond the spec's `parallel.trials`.
    public var maxSlots: Int?
    public var state: State
    public var submittedAt: Date
    public var error: String?
}

/// The queue file: written to a temporary file, synced, then renamed over the old one,
/// so a crash leaves either the old or the new queue, never half of one.
struct QueueFile {
    let path: String

    func load() throws -> [QueueEntry] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .secondsSince1970
            return try decoder.decode([QueueEntry].self, from: data)
        } catch {
            throw ServiceError.setup("the queue file \(path) is not readable: \(error)")
        }
    }

    func save(_ entries: [QueueEntry]) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(entries)
        try AtomicFile.write(data, to: path)
    }
}

enum AtomicFile {
    static func write(_ data: Data, to path: String, mode: mode_t = 0o600) throws {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw ServiceError.setup("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, data.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == data.count, synced == 0, rename(temporary, path) == 0 else {
            throw ServiceError.setup("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
