import CLibUV

/// Reads one pipe of a child process (its stdout or stderr) and splits it into lines.
///
/// Owns its `uv_pipe_t` (whose `data` points back here, unretained: the owning
/// `ChildProcess` keeps the reader alive until `onClosed` has run) and one read buffer
/// reused for every read, freed when the reader goes away after its handle closed.
final class PipeReader {
    let handle: UnsafeMutablePointer<uv_pipe_t>
    private var splitter: LineSplitter
    private let buffer: UnsafeMutableRawBufferPointer
    private(set) var isClosed = false
    private var isClosing = false

    /// Called for each line; the bytes are valid only during the call.
    var onLine: ((UnsafeBufferPointer<UInt8>) -> Void)?
    /// Called once per line that exceeded the maximum, with its length.
    var onOversizedLine: ((Int) -> Void)?
    /// Called once after the handle closed (after EOF, a read error or `close()`).
    var onClosed: (() -> Void)?

    static let readBufferBytes = 64 * 1024

    init(loop: Loop, maxLineBytes: Int) throws {
        splitter = LineSplitter(maxLineBytes: maxLineBytes)
        handle = .allocate(capacity: 1)
        handle.initialize(to: uv_pipe_t())
        let result = uv_pipe_init(loop.raw, handle, 0)
        if result < 0 {
            handle.deallocate()
            throw UVError(operation: "uv_pipe_init", code: result)
        }
        buffer = .allocate(byteCount: Self.readBufferBytes, alignment: 16)
        handle.pointee.data = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        buffer.deallocate()
    }

    var stream: UnsafeMutablePointer<uv_stream_t> {
        UnsafeMutablePointer<uv_stream_t>(OpaquePointer(handle))
    }

    func startReading() throws {
        try UVError.check(uv_read_start(stream, pipeAlloc, pipeRead), "uv_read_start")
    }

    /// Stops reading, delivers a final partial line, and closes the handle.
    func close() {
        guard !isClosing else { return }
        isClosing = true
        uv_read_stop(stream)
        flushAtEnd()
        uv_close(UnsafeMutablePointer<uv_handle_t>(OpaquePointer(handle)), pipeClosed)
    }

    /// Closes a handle that never read (a failed spawn) without calling back into
    /// this reader, which may be gone by the time libuv runs the close callback.
    func abandon() {
        guard !isClosing else { return }
        isClosing = true
        handle.pointee.data = nil
        onClosed = nil
        uv_close(UnsafeMutablePointer<uv_handle_t>(OpaquePointer(handle)), pipeClosed)
    }

    fileprivate func provideBuffer(_ out: UnsafeMutablePointer<uv_buf_t>) {
        // Reads are sequential and each is consumed before the next allocation, so one
        // buffer per pipe is enough.
        out.pointee = uv_buf_init(buffer.baseAddress!.assumingMemoryBound(to: CChar.self),
                                  UInt32(buffer.count))
    }

    fileprivate func didRead(_ count: Int) {
        if count > 0 {
            splitter.feed(UnsafeRawBufferPointer(start: buffer.baseAddress, count: count)) { deliver($0) }
        } else if count < 0 {
            // UV_EOF, or a read error (EPIPE, ECONNRESET...): either way no more bytes come.
            close()
        }
        // count == 0 is EAGAIN: nothing to do.
    }

    fileprivate func didClose() {
        isClosed = true
        let callback = onClosed
        onClosed = nil
        onLine = nil
        onOversizedLine = nil
        callback?()
    }

    private func flushAtEnd() {
        splitter.finish { deliver($0) }
    }

    private func deliver(_ piece: LineSplitter.Piece) {
        switch piece {
        case .line(let bytes): onLine?(bytes)
        case .oversized(let length): onOversizedLine?(length)
        }
    }
}

private func pipeAlloc(_ handle: UnsafeMutablePointer<uv_handle_t>?, _ suggested: Int,
                       _ buf: UnsafeMutablePointer<uv_buf_t>?) {
    guard let handle, let buf, let data = handle.pointee.data else { return }
    Unmanaged<PipeReader>.fromOpaque(data).takeUnretainedValue().provideBuffer(buf)
}

private func pipeRead(_ stream: UnsafeMutablePointer<uv_stream_t>?, _ nread: Int,
                      _ buf: UnsafePointer<uv_buf_t>?) {
    guard let stream, let data = stream.pointee.data else { return }
    Unmanaged<PipeReader>.fromOpaque(data).takeUnretainedValue().didRead(nread)
}

private func pipeClosed(_ handle: UnsafeMutablePointer<uv_handle_t>?) {
    guard let handle else { return }
    let data = handle.pointee.data
    handle.pointee.data = nil
    // The handle memory belongs to this close callback: libuv is done with it now.
    UnsafeMutableRawPointer(handle).deallocate()
    if let data {
        Unmanaged<PipeReader>.fromOpaque(data).takeUnretainedValue().didClose()
    }
}
