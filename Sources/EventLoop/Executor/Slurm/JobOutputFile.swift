#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Follows a batch job's output file as it grows and splits it into lines.
///
/// The file appears only when the job starts (Slurm creates it on the node), so it is
/// opened lazily; until then `drain` reads nothing. Each `drain` reads what was
/// appended since the last one. `finish` drains and delivers a final line without
/// `'\n'`, as a pipe's EOF would.
final class JobOutputFile {
    let path: String
    private var descriptor: Int32 = -1
    private var splitter: LineSplitter
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    init(path: String, maxLineBytes: Int) {
        self.path = path
        splitter = LineSplitter(maxLineBytes: maxLineBytes)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Reads everything appended since the last call.
    func drain(_ emit: (LineSplitter.Piece) -> Void) {
        if descriptor < 0 {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            if descriptor < 0 { return }
        }
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            buffer.withUnsafeBytes { splitter.feed(UnsafeRawBufferPointer(rebasing: $0[..<count]), emit) }
        }
    }

    /// The job has ended: reads the rest and ends the last line.
    func finish(_ emit: (LineSplitter.Piece) -> Void) {
        drain(emit)
        splitter.finish(emit)
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
    }
}
