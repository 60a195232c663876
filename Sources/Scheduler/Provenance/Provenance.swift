import Foundation
import TrialProtocol
import Vocabulary

/// What produced a sweep's results, recorded once at its first run (`sweep.provenance`)
/// and shown by `show`, `best` and reports: the vsweep version, the git commit (and
/// whether the checkout had uncommitted changes) when vsweep runs from a checkout, the
/// engine argv, and the content of the trial config's `base` and `data` inputs.
///
/// Inputs are identified by content, not by the path given: `storage/base/default.ckpt`
/// is a symlink that a later `vsweep base` moves, so the path alone does not say which
/// weights a trial saw. The symlink is resolved and the bytes hashed (FNV-1a 64 over the
/// file, or over every file of a directory in path order with their relative paths):
/// `best` then points at the resolved file and checks that its bytes are still the same.
public struct Provenance: Sendable, Equatable {
    public static let vsweepVersion = "0.1.0"

    public struct Input: Sendable, Equatable {
        /// The path as the trial config gives it.
        public var given: String
        /// Absolute, symlinks resolved.
        public var resolved: String
        /// `fnv1a64:<16 hex>` of the content; nil when the path did not exist.
        public var hash: String?
        public var bytes: Int64
    }

    public var version: String
    public var gitCommit: String?
    public var gitDirty: Bool?
    public var engineArgv: [String]
    /// Keyed by the trial config key (`base`, `data`).
    public var inputs: [String: Input]
    /// The sweep whose trials seeded the sampler (`--warm-start-from`); a resumed run reuses it.
    public var warmStartFrom: String?

    /// The trial config keys whose values are input files.
    public static let inputKeys = ["base", "data"]

    /// Collects the provenance of a run of `spec` with `engineArgv`, from the running executable's checkout.
    public static func collect(spec: SweepSpec, engineArgv: [String], warmStartFrom: String? = nil,
                               executable: String = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path)
        -> Provenance {
        let checkout = GitCheckout.enclosing(executable)
        var inputs: [String: Input] = [:]
        if case .object(let trial) = spec.trial {
            for key in inputKeys {
                if case .string(let path)? = trial[key] { inputs[key] = input(path) }
            }
        }
        return Provenance(version: vsweepVersion, gitCommit: checkout?.commit, gitDirty: checkout?.dirty,
                          engineArgv: engineArgv, inputs: inputs, warmStartFrom: warmStartFrom)
    }

    /// Resolves and hashes one input path (relative paths against the current directory,
    /// where trials run).
    public static func input(_ path: String) -> Input {
        let absolute = path.hasPrefix("/") ? path
            : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        let resolved = URL(fileURLWithPath: absolute).resolvingSymlinksInPath().standardizedFileURL.path
        let content = ContentHash.of(path: resolved)
        return Input(given: path, resolved: resolved, hash: content.map { "fnv1a64:" + FNV1a64.hex($0.hash) },
                     bytes: content?.bytes ?? 0)
    }

    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "vsweep_version": .string(version),
            "engine_argv": .array(engineArgv.map(JSONValue.string)),
            "inputs": .object(inputs.mapValues { input in
                .object(["given": .string(input.given), "resolved": .string(input.resolved),
                         "hash": input.hash.map(JSONValue.string) ?? .null, "bytes": .number(Double(input.bytes))])
            }),
        ]
        fields["git_commit"] = gitCommit.map(JSONValue.string) ?? .null
        fields["git_dirty"] = gitDirty.map(JSONValue.bool) ?? .null
        if let warmStartFrom { fields["warm_start_from"] = .string(warmStartFrom) }
        return .object(fields)
    }

    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(json)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Reads what `encoded()` wrote; nil for a missing or unreadable record (sweeps before v3).
    public static func decode(_ text: String?) -> Provenance? {
        guard let text, case .object(let o)? = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            return nil
        }
        var inputs: [String: Input] = [:]
        if case .object(let raw)? = o["inputs"] {
            for (key, value) in raw {
                guard case .object(let i) = value, case .string(let given)? = i["given"],
                      case .string(let resolved)? = i["resolved"] else { continue }
                var hash: String?
                if case .string(let h)? = i["hash"] { hash = h }
                var bytes: Int64 = 0
                if case .number(let b)? = i["bytes"] { bytes = Int64(b) }
                inputs[key] = Input(given: given, resolved: resolved, hash: hash, bytes: bytes)
            }
        }
        var argv: [String] = []
        if case .array(let items)? = o["engine_argv"] {
            argv = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        }
        var commit: String?
        if case .string(let c)? = o["git_commit"] { commit = c }
        var dirty: Bool?
        if case .bool(let d)? = o["git_dirty"] { dirty = d }
        var version = "?"
        if case .string(let v)? = o["vsweep_version"] { version = v }
        var warm: String?
        if case .string(let w)? = o["warm_start_from"] { warm = w }
        return Provenance(version: version, gitCommit: commit, gitDirty: dirty, engineArgv: argv, inputs: inputs,
                          warmStartFrom: warm)
    }

    /// One line per fact, for `show`, `best` and reports.
    public var lines: [String] {
        var out = ["vsweep \(version)" + (gitCommit.map { " at commit \($0.prefix(12))" + (gitDirty == true ? " (uncommitted changes)" : "") } ?? "")]
        for key in inputs.keys.sorted() {
            let i = inputs[key]!
            let link = i.given == i.resolved ? "" : " → \(i.resolved)"
            out.append("\(key): \(i.given)\(link) " + (i.hash.map { "\($0), \(i.bytes) bytes" } ?? "(missing when the sweep started)"))
        }
        out.append("engine: \(engineArgv.joined(separator: " "))")
        if let warmStartFrom { out.append("sampler warm-started from sweep \(warmStartFrom)") }
        return out
    }
}

/// The commit of the git checkout a path lies in, read with `git` itself (no shell).
struct GitCheckout {
    var commit: String
    var dirty: Bool

    static func enclosing(_ path: String) -> GitCheckout? {
        var dir = URL(fileURLWithPath: path).deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent(".git").path) { break }
            dir.deleteLastPathComponent()
        }
        guard dir.path != "/" else { return nil }
        guard let head = git(["rev-parse", "HEAD"], in: dir.path)?.trimmingCharacters(in: .whitespacesAndNewlines),
              !head.isEmpty else { return nil }
        // Untracked files (runs/, databases) are ignored or irrelevant; modified tracked files are not.
        let status = git(["status", "--porcelain", "--untracked-files=no"], in: dir.path) ?? ""
        return GitCheckout(commit: head, dirty: !status.isEmpty)
    }

    private static func git(_ arguments: [String], in directory: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}

/// FNV-1a 64 over a file's bytes, or over a directory's files in path order (each
/// contributing its relative path and its content hash), read in 1 MiB chunks.
public enum ContentHash {
    public static func of(path: String) -> (hash: UInt64, bytes: Int64)? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        guard isDirectory.boolValue else { return file(path) }
        guard let walker = FileManager.default.enumerator(atPath: path) else { return nil }
        var names: [String] = []
        while let name = walker.nextObject() as? String {
            var sub: ObjCBool = false
            if FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(name), isDirectory: &sub),
               !sub.boolValue { names.append(name) }
        }
        var hasher = FNV1a64()
        var total: Int64 = 0
        for name in names.sorted() {
            guard let part = file((path as NSString).appendingPathComponent(name)) else { return nil }
            for b in name.utf8 { hasher.combine(byte: b) }
            hasher.combine(word: part.hash)
            total += part.bytes
        }
        return (hasher.value, total)
    }

    static func file(_ path: String) -> (hash: UInt64, bytes: Int64)? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var hasher = FNV1a64()
        var total: Int64 = 0
        while true {
            guard let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty else { break }
            chunk.withUnsafeBytes { raw in
                for b in raw { hasher.combine(byte: b) }
            }
            total += Int64(chunk.count)
        }
        return (hasher.value, total)
    }
}
