/// What the loss compares the learner's distribution with, per position.
public enum Targets {
    /// One-hot next-token targets, (B, T); −1 masks a position out of the loss.
    case tokens(UnsafePointer<Int32>)
    /// Dense target distributions q (B, T, V); `mask[r] == 0` masks position r out.
    case distribution(UnsafePointer<Float>, mask: UnsafePointer<UInt8>?)
}
