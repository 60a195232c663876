/// A stable fingerprint of a sweep spec's text, used to notice that a sweep is being
/// resumed with a different spec. FNV-1a 64-bit: not cryptographic, which a change
/// detector does not need, and available without a crypto library on Linux.
public enum SpecHash {
    public static func fnv1a64(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
