/// Errors of dataset generation, import and reading. Each names the option,
/// file or line at fault.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    /// An option broke a rule: option name, the value given, the rule.
    case invalidOption(name: String, value: String, rule: String)
    /// A split could not find enough distinct questions of its own.
    case questionSpaceExhausted(split: String, produced: Int, requested: Int)
    /// A file could not be read or written.
    case io(path: String, message: String)
    /// A required dataset file is missing.
    case missingFile(path: String)

    public var description: String {
        switch self {
        case let .invalidOption(name, value, rule):
            return "invalid option \(name) = \(value): \(rule)"
        case let .questionSpaceExhausted(split, produced, requested):
            return "split '\(split)': only \(produced) distinct questions of \(requested) requested; "
                + "widen the difficulty range or the families, or ask for fewer examples"
        case let .io(path, message):
            return "\(path): \(message)"
        case let .missingFile(path):
            return "\(path): file not found"
        }
    }

    static func check(_ condition: Bool, _ name: String, _ value: String, _ rule: String) throws {
        if !condition { throw DatasetError.invalidOption(name: name, value: value, rule: rule) }
    }
}
