#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What to start: an argv array (never a shell line), the exact environment and a
/// working directory.
public struct Command: Equatable, Hashable, Sendable {
    /// `argv[0]` is the program: a path, or a name looked up in `PATH`. Every element
    /// reaches the program verbatim; nothing is expanded or split.
    public var argv: [String]
    /// The child's whole environment, passed exactly: nothing is inherited. Use
    /// `ProcessEnvironment.current(merging:)` to start from ours.
    public var environment: [String: String]
    /// The child's working directory; nil keeps ours.
    public var workingDirectory: String?

    public init(argv: [String], environment: [String: String], workingDirectory: String? = nil) {
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
    }

    /// The program to execute (`argv[0]`), or "" for an empty argv.
    public var program: String { argv.first ?? "" }

    /// Checks what `execve` would silently truncate or reject, naming the field.
    public func validate() throws {
        guard let program = argv.first, !program.isEmpty else {
            throw CommandError(field: "argv", message: "argv is empty; argv[0] must name the program")
        }
        for (index, argument) in argv.enumerated() where argument.utf8.contains(0) {
            throw CommandError(field: "argv[\(index)]", message: "contains a NUL byte")
        }
        for (key, value) in environment {
            if key.isEmpty || key.utf8.contains(UInt8(ascii: "=")) || key.utf8.contains(0) {
                throw CommandError(field: "environment", message: "invalid variable name '\(key)' (empty, or contains '=' or NUL)")
            }
            if value.utf8.contains(0) {
                throw CommandError(field: "environment[\(key)]", message: "value contains a NUL byte")
            }
        }
        if let directory = workingDirectory {
            var info = stat()
            guard stat(directory, &info) == 0 else {
                throw CommandError(field: "workingDirectory", message: "'\(directory)': \(String(cString: strerror(errno)))")
            }
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw CommandError(field: "workingDirectory", message: "'\(directory)' is not a directory")
            }
        }
    }

    /// `KEY=VALUE` strings in key order, so a spawn is reproducible.
    var environmentStrings: [String] {
        environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }
}

/// A `Command` that cannot be started as given.
public struct CommandError: Error, Equatable, Sendable, CustomStringConvertible {
    public var field: String
    public var message: String

    public var description: String { "invalid command: \(field): \(message)" }

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}
