#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fields of Linux `/proc/<pid>/stat` that orphan detection needs.
///
/// `startTime` (field 22) is the process's start in clock ticks since boot: with the
/// pid it identifies a process across pid reuse.
public struct ProcStat: Equatable, Sendable {
    public var pid: Int32
    /// Field 3: R, S, D, Z (zombie), T, X (dead)...
    public var state: Character
    /// Field 5: the process group id.
    public var processGroup: Int32
    /// Field 22: start time in clock ticks after boot.
    public var startTime: UInt64

    /// A process that has exited but is not reaped yet is not running anything.
    public var isDead: Bool { state == "Z" || state == "X" || state == "x" }

    /// Reads `/proc/<pid>/stat`; nil if the process does not exist (or /proc is absent).
    public static func read(pid: Int32) -> ProcStat? {
        guard pid > 0, let text = readSmallFile("/proc/\(pid)/stat") else { return nil }
        return parse(text)
    }

    /// Parses one stat line. The command name (field 2) is in parentheses and may hold
    /// spaces and ')', so fields are counted from the last ')'.
    public static func parse(_ text: String) -> ProcStat? {
        let bytes = Array(text.utf8)
        guard let open = bytes.firstIndex(of: UInt8(ascii: "(")),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")), open < close,
              let pid = Int32(String(decoding: bytes[..<open], as: UTF8.self)
                                .trimmingSpaces) else { return nil }
        // After ')': field 3 is at index 0, so field n is at index n - 3.
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
            .map { String(decoding: $0, as: UTF8.self).trimmingSpaces }
        guard fields.count > 19, let state = fields[0].first,
              let group = Int32(fields[2]), let start = UInt64(fields[19]) else { return nil }
        return ProcStat(pid: pid, state: state, processGroup: group, startTime: start)
    }

    /// Pids listed in `/proc`.
    public static func allPids() -> [Int32] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var pids: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if let pid = Int32(name) { pids.append(pid) }
        }
        return pids
    }

    private static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var total = 0
        while total < buffer.count {
            let count = buffer.withUnsafeMutableBytes { raw in
                systemRead(fd, raw.baseAddress! + total, raw.count - total)
            }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            total += count
        }
        return String(decoding: buffer[..<total], as: UTF8.self)
    }
}

/// `read(2)`, named apart from `ProcStat.read(pid:)`.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}

extension String {
    fileprivate var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\n" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\n" { slice.removeLast() }
        return String(slice)
    }
}
