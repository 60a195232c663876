#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps this process's open descriptors out of the children it spawns.
///
/// libuv gives a child the three stdio descriptors it is asked for, but also every
/// descriptor of ours that lacks close-on-exec: ones inherited from whoever started
/// the scheduler (a test harness's exit-notification socket, a make jobserver pipe)
/// or opened without `O_CLOEXEC` by a library. A trial that holds such a descriptor
/// keeps the other end waiting after the scheduler is gone — with Slurm's detached
/// jobs, indefinitely. So before each spawn every descriptor above stderr is marked
/// close-on-exec; the child gets exactly its stdio.
enum InheritedDescriptors {
    static func markCloseOnExec() {
        guard let directory = opendir("/proc/self/fd") else { return }
        defer { closedir(directory) }
        let own = dirfd(directory)
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let descriptor = Int32(name), descriptor > 2, descriptor != own else { continue }
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }
}
