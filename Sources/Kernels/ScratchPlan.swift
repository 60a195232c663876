/// The layout of one scratch `FloatBuffer` shared by several named fields: each field
/// takes its size where it is named, and gets its offset back, so no field is found by
/// its position in a list of sizes.
///
///     var plan = ScratchPlan()
///     let features = plan.field(rows * inputs)
///     let hidden = plan.field(rows * width)
///     let buffer = FloatBuffer(count: plan.count)
///     let h = buffer.base + hidden
public struct ScratchPlan {
    public private(set) var count = 0
    /// Each field starts on a multiple of this many floats (1: packed).
    public let alignment: Int

    public init(alignment: Int = 1) {
        precondition(alignment >= 1)
        self.alignment = alignment
    }

    /// Reserves `size` floats and returns their offset.
    public mutating func field(_ size: Int) -> Int {
        precondition(size >= 0, "ScratchPlan: negative size")
        let offset = count
        count += (size + alignment - 1) / alignment * alignment
        return offset
    }
}
