import EventLoop
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Follows an output file as it grows and splits it into lines: a batch job's `.out`
/// and `.err`, and a local trial's stdout file.
///
/// The file may appear only later (Slurm creates it on the node when the job starts),
/// so it is opened lazily; until then `drain` reads nothing. Each `drain` reads what was
/// appended since the last one. `finish` drains and delivers a final line without
/// `'\n'`, as a pipe's EOF would.
///
/// `deliveredOffset` is the byte offset just past the line being delivered (inside the
/// callback) or the last one delivered: a reader that records it with what it made of
/// the line can reopen the file there (`startOffset`) and read every later line, once.
final class JobOutputFile {
    let path: String
    private(set) var deliveredOffset: UInt64
    private var readOffset: UInt64
    private var descriptor: Int32 = -1
    private var splitter: LineSplitter
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    init(path: String, maxLineBytes: Int, startOffset: UInt64 = 0) {
        self.path = path
        splitter = LineSplitter(maxLineBytes: maxLineBytes)
        deliveredOffset = startOffset
        readOffset = startOffset
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
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(readOffset)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            let chunkStart = readOffset
            readOffset += UInt64(count)
            buffer.withUnsafeBytes { raw in
                let chunk = UnsafeRawBufferPointer(rebasing: raw[..<count])
                var searchFrom = 0
                // Each piece the splitter hands out ends at the chunk's next '\n'.
                splitter.feed(chunk) { piece in
                    let newline = chunk[searchFrom...].firstIndex(of: 0x0A) ?? count - 1
                    searchFrom = newline + 1
                    deliveredOffset = chunkStart + UInt64(newline + 1)
                    emit(piece)
                }
            }
            // A short read of a regular file is its end for now: no second call to learn it.
            if count < buffer.count { return }
        }
    }

    /// The writer has ended: reads the rest and ends the last line.
    func finish(_ emit: (LineSplitter.Piece) -> Void) {
        drain(emit)
        deliveredOffset = readOffset
        splitter.finish(emit)
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
    }
}
