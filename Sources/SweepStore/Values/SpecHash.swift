import Vocabulary

/// A stable fingerprint of a sweep spec's text, used to notice that a sweep is being
/// resumed with a different spec. FNV-1a 64-bit: not cryptographic, which a change
/// detector does not need, and available without a crypto library on Linux.
public enum SpecHash {
    public static func fnv1a64(_ text: String) -> String {
        "fnv1a64:" + FNV1a64.hex(FNV1a64.hash(text))
    }
}
