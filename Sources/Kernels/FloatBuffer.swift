import Foundation

/// One contiguous, 64-byte aligned, zero-initialised float32 allocation.
/// Engines allocate these once per run and hand out pointers into them; the
/// buffer owns the memory and frees it on deinit.
public final class FloatBuffer {
    public let count: Int
    public let base: UnsafeMutablePointer<Float>

    public init(count: Int) {
        precondition(count >= 0, "FloatBuffer count must be >= 0")
        self.count = count
        var raw: UnsafeMutableRawPointer?
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            fatalError("FloatBuffer: cannot allocate \(bytes) bytes")
        }
        memset(raw, 0, bytes)
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    deinit { free(base) }

    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: base, count: count) }

    public func zero() { memset(base, 0, count * MemoryLayout<Float>.stride) }

    public func copy(from other: FloatBuffer) {
        precondition(other.count == count, "FloatBuffer.copy: \(other.count) != \(count)")
        memcpy(base, other.base, count * MemoryLayout<Float>.stride)
    }

    public subscript(i: Int) -> Float {
        get { base[i] }
        set { base[i] = newValue }
    }

    public func toArray() -> [Float] { Array(buffer) }
}
