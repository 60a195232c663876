import ArgumentParser
import ConfigFiles
import Foundation
import Scheduler
import SweepStore

/// vsweep's exit statuses, one contract for every command (docs/user-guide.md, "Exit
/// status"). ArgumentParser's own 64 for a bad argument is mapped to `badInput`.
enum ExitStatus {
    static let runtimeFailure: Int32 = 1
    /// A spec, config, argument, or file (database included) that cannot be used as given.
    static let badInput: Int32 = 2
    /// The sweep or comparison ended, but not one trial completed.
    static let noCompletedTrial: Int32 = 3

    /// The status for an error a command did not handle itself; `unknown` for errors
    /// with no known class (a reader's library errors are about its input).
    static func of(_ error: Error, unknown: Int32) -> Int32 {
        switch error {
        case let error as ExitCode: return error.rawValue
        case is ConfigFileError, is ValidationError, is FileError, is EnginePreflight.Refusal: return badInput
        case let error as SchedulerError:
            if case .watchdog = error { return runtimeFailure }
            return badInput
        case let error as SweepStoreError:
            switch error {
            case .notASweepDatabase, .newerSchema, .cannotOpen, .corrupt, .sweepNotFound, .trialNotFound, .sweepExists:
                return badInput
            default: return runtimeFailure
            }
        default: return unknown
        }
    }
}

/// A file the command could not read, write or create, named with what was tried;
/// Foundation's own message alone names neither.
struct FileError: Error, CustomStringConvertible {
    var path: String
    var action: String
    var reason: String

    init(_ path: String, _ action: String, _ underlying: Error) {
        self.path = path
        self.action = action
        reason = Self.reason(underlying)
    }

    /// Foundation's "The operation could not be completed…" in the words of the cause.
    private static func reason(_ error: Error) -> String {
        guard let cocoa = error as? CocoaError else { return "\(error)" }
        if let underlying = cocoa.underlying as NSError?, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        switch cocoa.code {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or directory on the way there"
        case .fileWriteNoPermission, .fileReadNoPermission: return "permission denied"
        case .fileWriteFileExists: return "a file of that name is in the way"
        case .fileWriteOutOfSpace: return "no space left on the device"
        case .fileWriteVolumeReadOnly: return "read-only file system"
        default: return cocoa.localizedDescription
        }
    }

    init(_ path: String, _ action: String, reason: String) {
        self.path = path
        self.action = action
        self.reason = reason
    }

    var description: String { "\(path): cannot \(action) (\(reason))" }

    /// Runs `body`, naming `path` in any error it throws.
    static func naming<T>(_ path: String, _ action: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw FileError(path, action, error) }
    }
}

/// Exits with `noCompletedTrial` when the sweep ended without a completed trial: a
/// script running `vsweep run && …` must not go on as if it had a result.
func requireCompletedTrial(store: SweepStore, sweep: Sweep, database: String) throws {
    let trials = try withInputErrors { try store.trials(sweepID: sweep.id) }
    guard !trials.contains(where: { $0.state == .completed }) else { return }
    let counts = Dictionary(grouping: trials, by: \.state).map { "\($0.value.count) \($0.key.rawValue)" }.sorted()
    let tally = counts.isEmpty ? "no trials" : counts.joined(separator: ", ")
    throw withMessage("error: sweep \(sweep.name) ended with no completed trial (\(tally)); "
                      + "see vsweep trials \(sweep.name) --db \(database)", code: ExitStatus.noCompletedTrial)
}
