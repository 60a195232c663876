/// One hyperparameter value: what a sampler proposes, the store keeps in
/// `trial.params`, the scheduler writes under the parameter's dotted key into a
/// trial's `config.json`, and readers show. The one parameter value type of vsweep:
/// between the spec's domain and the engine's config file a value is nothing else.
///
/// It codes as a plain JSON scalar. JSON has one number type, so a `.double` with an
/// integral value (e.g. `2.0`) is written as `2` and reads back as `.int(2)`; use
/// `doubleValue` when either will do, and `number(_:)` for a number read from a file.
public enum ParamValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case double(Double)
    case int(Int)
    case string(String)
    case bool(Bool)

    /// A number as YAML and JSON files (and the store) hold it: integral values below
    /// 9e15 in magnitude are ints (a choice of [2, 4, 8]), others doubles.
    public static func number(_ x: Double) -> ParamValue {
        x == x.rounded() && abs(x) < 9e15 ? .int(Int(x)) : .double(x)
    }

    /// The numeric value of `.double` and `.int` (an int widens); nil for strings and booleans.
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
        } else if let value = try? container.decode(Int.self) {
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

/// A full assignment of values to parameter names (dotted config keys), as handed to
/// one trial.
public typealias ParamAssignment = [String: ParamValue]
