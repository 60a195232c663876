import EventLoop
import Executors
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whether the file system under the runs directory is full: an attempt that could
/// not start or that ended without `finished` while it was full failed for want of
/// space (its config, output or checkpoint could not be written), not by its own
/// doing, so it is re-queued without using up an attempt and dispatching pauses until
/// space returns.
enum DiskSpace {
    /// Below this many bytes available to us, the file system counts as full: no
    /// checkpoint fits, and a trial start would only fail again.
    static let minimumFreeBytes: UInt64 = 1 << 20

    /// Bytes available to an unprivileged writer at `path` (or its nearest existing
    /// ancestor); nil when the file system cannot be asked.
    static func availableBytes(at path: String) -> UInt64? {
        var candidate = path
        while true {
            var info = statvfs()
            if statvfs(candidate, &info) == 0 { return UInt64(info.f_bavail) * UInt64(info.f_frsize) }
            let parent = (candidate as NSString).deletingLastPathComponent
            guard errno == ENOENT, !parent.isEmpty, parent != candidate else { return nil }
            candidate = parent
        }
    }

    static func isFull(_ path: String) -> Bool {
        availableBytes(at: path).map { $0 < minimumFreeBytes } ?? false
    }

    /// ENOSPC or EDQUOT, however the error carries it.
    static func isSpaceError(_ error: Error) -> Bool {
        let codes: Set<Int32> = [ENOSPC, EDQUOT]
        if let error = error as? UVError { return codes.contains(-error.code) }
        if let error = error as? POSIXError { return codes.contains(error.code.rawValue) }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return codes.contains(Int32(ns.code)) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? Error { return isSpaceError(underlying) }
        return ns.domain == NSCocoaErrorDomain && ns.code == NSFileWriteOutOfSpaceError
    }
}
