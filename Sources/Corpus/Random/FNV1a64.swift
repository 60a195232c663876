/// FNV-1a, 64-bit: the content hash used in manifests, for split assignment and
/// for seeding streams by name.
///
/// h₀ = 0xcbf29ce484222325; for each byte b: h = (h XOR b) · 0x100000001b3 (mod 2⁶⁴).
/// Not cryptographic: it detects accidental changes of a file, not tampering.
public enum FNV1a64 {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let prime: UInt64 = 0x0000_0100_0000_01b3

    public static func hash<S: Sequence>(_ bytes: S) -> UInt64 where S.Element == UInt8 {
        var h = offsetBasis
        for b in bytes {
            h = (h ^ UInt64(b)) &* prime
        }
        return h
    }

    public static func hash(_ text: String) -> UInt64 {
        hash(text.utf8)
    }

    /// 16 lowercase hex digits, zero-padded, as written in manifests.
    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
