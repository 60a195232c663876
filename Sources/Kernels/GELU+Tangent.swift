extension GELU {
    /// Tangent: dOut = gelu'(x)·dInp — elementwise, so the same product as
    /// `backward`. Shapes: inp, dInp, dOut (n). dOut is overwritten.
    public static func tangent(_ dOut: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                               _ dInp: UnsafePointer<Float>, _ n: Int) {
        backward(dOut, inp, dInp, n)
    }

    /// `tangent` with th = tanh(u) saved by `forward(_:tanh:_:_:)`: no exp. dOut may be dInp itself.
    public static func tangent(_ dOut: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                               tanh th: UnsafePointer<Float>, _ dInp: UnsafePointer<Float>, _ n: Int) {
        backward(dOut, inp, tanh: th, dInp, n)
    }
}
