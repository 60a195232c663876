#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream into lines: bytes in, complete lines out.
///
/// Contract:
/// - A line is the bytes before a `'\n'`; the `'\n'` is removed and nothing else is.
///   A `'\r'` before it is kept (CRLF input yields lines ending in `'\r'`): bytes are
///   delivered verbatim, and JSON parsers treat a trailing `'\r'` as whitespace.
/// - Empty lines are delivered as empty lines.
/// - A line longer than `maxLineBytes` (not counting the `'\n'`) is not delivered:
///   its bytes are discarded as they arrive, and once its end is seen (a `'\n'` or
///   `finish()`) it is reported once as `.oversized(length)` with its full length.
///   A line of exactly `maxLineBytes` bytes is delivered.
/// - `finish()` (end of stream) delivers a final line that has no `'\n'`.
///
/// Cost: `'\n'` is found with `memchr`; lines that lie within one chunk are handed
/// out as views into that chunk without copying. Only a line split across chunks is
/// copied, into one buffer reused for the splitter's lifetime.
public struct LineSplitter {
    /// What the splitter hands out. `.line` views bytes that are valid only during
    /// the callback; copy them (`Array(bytes)`) to keep them.
    public enum Piece {
        case line(UnsafeBufferPointer<UInt8>)
        case oversized(length: Int)
    }

    public let maxLineBytes: Int
    /// Bytes of an unfinished line that fits so far.
    private var pending: [UInt8] = []
    /// Length so far of an unfinished line already known to be too long.
    private var discardedLength: Int? = nil

    /// - Precondition: `maxLineBytes > 0` (a programming error, not user input).
    public init(maxLineBytes: Int = 1 << 20) {
        precondition(maxLineBytes > 0, "maxLineBytes must be positive")
        self.maxLineBytes = maxLineBytes
    }

    /// Whether bytes of an unfinished line are held (or being discarded).
    public var hasPartialLine: Bool { !pending.isEmpty || discardedLength != nil }

    /// Consumes one chunk, calling `emit` for every line it completes, in order.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (Piece) -> Void) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let count = chunk.count
        var start = 0
        while start < count {
            guard let found = memchr(bytes + start, 0x0A, count - start) else {
                absorbPartial(UnsafeBufferPointer(start: bytes + start, count: count - start))
                return
            }
            let end = bytes.distance(to: found.assumingMemoryBound(to: UInt8.self))
            completeLine(UnsafeBufferPointer(start: bytes + start, count: end - start), emit)
            start = end + 1
        }
    }

    /// End of stream: delivers an unterminated final line (or reports it oversized).
    public mutating func finish(_ emit: (Piece) -> Void) {
        if let length = discardedLength {
            discardedLength = nil
            emit(.oversized(length: length))
        } else if !pending.isEmpty {
            pending.withUnsafeBufferPointer { emit(.line($0)) }
            pending.removeAll(keepingCapacity: true)
        }
    }

    /// The tail of a chunk with no `'\n'`: keep it, or start/continue discarding.
    private mutating func absorbPartial(_ segment: UnsafeBufferPointer<UInt8>) {
        if let length = discardedLength {
            discardedLength = length + segment.count
        } else if pending.count + segment.count > maxLineBytes {
            discardedLength = pending.count + segment.count
            releasePending()
        } else {
            pending.append(contentsOf: segment)
        }
    }

    /// `segment` ends just before a `'\n'`.
    private mutating func completeLine(_ segment: UnsafeBufferPointer<UInt8>, _ emit: (Piece) -> Void) {
        if let length = discardedLength {
            discardedLength = nil
            emit(.oversized(length: length + segment.count))
        } else if pending.isEmpty {
            if segment.count > maxLineBytes {
                emit(.oversized(length: segment.count))
            } else {
                emit(.line(segment))
            }
        } else if pending.count + segment.count > maxLineBytes {
            let length = pending.count + segment.count
            releasePending()
            emit(.oversized(length: length))
        } else {
            pending.append(contentsOf: segment)
            pending.withUnsafeBufferPointer { emit(.line($0)) }
            pending.removeAll(keepingCapacity: true)
        }
    }

    /// Drops held bytes; a buffer grown towards `maxLineBytes` is freed rather than
    /// kept for the lifetime of a process.
    private mutating func releasePending() {
        pending.removeAll(keepingCapacity: pending.capacity <= 64 * 1024)
    }
}

extension LineSplitter {
    /// A piece with its bytes copied, for callers that keep lines (and for tests).
    public enum OwnedPiece: Equatable, Sendable {
        case line([UInt8])
        case oversized(length: Int)
    }

    /// `feed` with copied results.
    public mutating func feed(_ chunk: [UInt8]) -> [OwnedPiece] {
        var out: [OwnedPiece] = []
        chunk.withUnsafeBytes { raw in
            feed(raw) { out.append(OwnedPiece($0)) }
        }
        return out
    }

    /// `finish` with copied results.
    public mutating func finish() -> [OwnedPiece] {
        var out: [OwnedPiece] = []
        finish { out.append(OwnedPiece($0)) }
        return out
    }
}

extension LineSplitter.OwnedPiece {
    public init(_ piece: LineSplitter.Piece) {
        switch piece {
        case .line(let bytes): self = .line(Array(bytes))
        case .oversized(let length): self = .oversized(length: length)
        }
    }
}
