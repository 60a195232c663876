/// FNV-1a, 64-bit: the one non-cryptographic hash of vsweep — dataset manifests and
/// split assignment, stream names, spec fingerprints, Hyperband brackets, base-model
/// recipe keys and checkpoint checksums.
///
/// h₀ = 0xcbf29ce484222325; for each byte b: h = (h XOR b) · 0x100000001b3 (mod 2⁶⁴).
/// It detects accidental changes, not tampering.
public struct FNV1a64: Sendable {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let prime: UInt64 = 0x0000_0100_0000_01b3

    public private(set) var value: UInt64 = FNV1a64.offsetBasis

    public init() {}

    /// Folds one byte (the standard step).
    public mutating func combine(byte: UInt8) {
        value = (value ^ UInt64(byte)) &* Self.prime
    }

    /// Folds a whole 64-bit word in one step: the checkpoint checksum's variant, which
    /// hashes little-endian 8-byte words (not the same as hashing their bytes).
    public mutating func combine(word: UInt64) {
        value = (value ^ word) &* Self.prime
    }

    public static func hash<S: Sequence>(_ bytes: S) -> UInt64 where S.Element == UInt8 {
        var hasher = FNV1a64()
        for b in bytes { hasher.combine(byte: b) }
        return hasher.value
    }

    public static func hash(_ text: String) -> UInt64 {
        hash(text.utf8)
    }

    /// FNV-1a over the little-endian 8-byte words of `raw`, then its tail bytes.
    public static func hashWords(_ raw: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = FNV1a64()
        let words = raw.count / 8
        for i in 0..<words {
            hasher.combine(word: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian)
        }
        for i in (8 * words)..<raw.count { hasher.combine(byte: raw[i]) }
        return hasher.value
    }

    /// 16 lowercase hex digits, zero-padded, as written in manifests.
    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
