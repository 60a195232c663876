import Foundation

/// Elementary functions for the hot loops. For now these are the C library's;
/// a vectorised version replaces them only with a test bounding its error.
public enum FastMath {
    @inline(__always) public static func tanh(_ x: Float) -> Float { Foundation.tanhf(x) }
    @inline(__always) public static func exp(_ x: Float) -> Float { Foundation.expf(x) }
    @inline(__always) public static func log(_ x: Float) -> Float { Foundation.logf(x) }
}
