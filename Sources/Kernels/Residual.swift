/// out = a + b, elementwise over n values.
public enum Residual {
    public static func forward(_ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>,
                               _ b: UnsafePointer<Float>, _ n: Int) {
        for i in 0..<n { out[i] = a[i] + b[i] }
    }
}
