/// One value of a hyperparameter, as a trial's config receives it.
///
/// Coded with a one-key object that names the kind (`{"double": 0.5}`,
/// `{"int": 3}`, `{"string": "adam"}`, `{"bool": true}`), because a bare JSON
/// number cannot tell `1.0` from `1` after a round trip.
public enum ParamValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case double(Double)
    case int(Int)
    case string(String)
    case bool(Bool)

    public var description: String {
        switch self {
        case .double(let v): return "\(v)"
        case .int(let v): return "\(v)"
        case .string(let v): return "\"\(v)\""
        case .bool(let v): return "\(v)"
        }
    }

    private enum CodingKeys: String, CodingKey {
        case double, int, string, bool
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "a parameter value is an object with exactly one of the keys double, int, string, bool"))
        }
        switch key {
        case .double: self = .double(try container.decode(Double.self, forKey: key))
        case .int: self = .int(try container.decode(Int.self, forKey: key))
        case .string: self = .string(try container.decode(String.self, forKey: key))
        case .bool: self = .bool(try container.decode(Bool.self, forKey: key))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .double(let v): try container.encode(v, forKey: .double)
        case .int(let v): try container.encode(v, forKey: .int)
        case .string(let v): try container.encode(v, forKey: .string)
        case .bool(let v): try container.encode(v, forKey: .bool)
        }
    }

    /// The value as a number, for numeric parameters (`int` widens to `Double`).
    public var numericValue: Double? {
        switch self {
        case .double(let v): return v
        case .int(let v): return Double(v)
        case .string, .bool: return nil
        }
    }
}

/// A full assignment of values to parameter names, as handed to one trial.
public typealias ParamAssignment = [String: ParamValue]
