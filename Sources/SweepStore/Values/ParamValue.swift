/// One hyperparameter value as stored in `trial.params` (a JSON object with sorted
/// keys). Kept local to the store so it does not depend on the `Search` target.
///
/// JSON has one number type, so a `.double` with an integral value (e.g. `2.0`) is
/// written as `2` and reads back as `.int(2)`; use `doubleValue` when either will do.
public enum ParamValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case double(Double)
    case int(Int64)
    case string(String)
    case bool(Bool)

    /// The numeric value of `.double` and `.int`; nil for strings and booleans.
    public var doubleValue: Double? {
        switch self {
        case .double(let value): return value
        case .int(let value): return Double(value)
        case .string, .bool: return nil
        }
    }

    public var description: String {
        switch self {
        case .double(let value): return "\(value)"
        case .int(let value): return "\(value)"
        case .string(let value): return value
        case .bool(let value): return "\(value)"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Bool first: a JSON number never decodes as Bool, and true/false never as numbers.
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "a parameter value must be a number, string or boolean")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .double(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        }
    }
}
