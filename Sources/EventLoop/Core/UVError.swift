import CLibUV

/// A libuv call that failed: which operation, libuv's error code and `uv_strerror` text,
/// and for spawns the program that could not be started.
public struct UVError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The operation that failed, such as `uv_spawn` or `uv_timer_start`.
    public var operation: String
    /// The negative libuv error code (`UV_ENOENT`, `UV_EACCES`, ...).
    public var code: Int32
    /// `uv_strerror(code)`.
    public var message: String
    /// The program path when the failing operation was a spawn.
    public var program: String?

    public init(operation: String, code: Int32, program: String? = nil) {
        self.operation = operation
        self.code = code
        self.message = String(cString: uv_strerror(code))
        self.program = program
    }

    /// libuv's symbolic name for the code, e.g. `ENOENT`.
    public var name: String { String(cString: uv_err_name(code)) }

    public var description: String {
        if let program {
            return "cannot start '\(program)': \(message) (\(name), \(operation))"
        }
        return "\(operation) failed: \(message) (\(name))"
    }

    /// Throws a `UVError` for a negative libuv return code.
    static func check(_ result: Int32, _ operation: String, program: String? = nil) throws {
        if result < 0 { throw UVError(operation: operation, code: result, program: program) }
    }
}
