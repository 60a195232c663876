import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The bearer token every API request must carry: 32 random bytes (hex), created on
/// the first start in a file only the user can read (mode 0600, created with O_EXCL so
/// it is never readable by others even for a moment), and reused afterwards.
public enum ServiceToken {
    public static func loadOrCreate(path: String) throws -> String {
        if let existing = try read(path: path) { return existing }
        var generator = SystemRandomNumberGenerator()
        let token = (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            // Another daemon starting at the same moment made it: use theirs.
            if errno == EEXIST, let existing = try read(path: path) { return existing }
            throw ServiceError.setup("cannot create the token file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let bytes = Array((token + "\n").utf8)
        guard write(fd, bytes, bytes.count) == bytes.count, fsync(fd) == 0 else {
            throw ServiceError.setup("cannot write the token file \(path): \(String(cString: strerror(errno)))")
        }
        return token
    }

    /// The token in `path`, nil when there is no file; refuses a file others can read.
    public static func read(path: String) throws -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        if info.st_mode & 0o077 != 0 {
            throw ServiceError.setup("the token file \(path) is readable by others (mode \(String(info.st_mode & 0o777, radix: 8))); "
                                     + "chmod 600 it or delete it to make a new token")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ServiceError.setup("cannot read the token file \(path)")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.count >= 32 else { throw ServiceError.setup("the token file \(path) holds no token; delete it") }
        return token
    }

    /// Compares in time independent of where the strings differ.
    static func matches(_ given: Substring, _ expected: String) -> Bool {
        let a = Array(given.utf8), b = Array(expected.utf8)
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
