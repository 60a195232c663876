import TrialProtocol
import Vocabulary

// Where a parameter meets arbitrary JSON: read from a spec file (a fixed value, a choice,
// an arm's key) and set into a trial's config tree. Nothing else converts a parameter.

extension ParamValue {
    /// A spec file's scalar as a parameter value (numbers as `number(_:)`); nil for null,
    /// lists and mappings.
    public init?(scalar json: JSONValue) {
        switch json {
        case .number(let x): self = .number(x)
        case .string(let s): self = .string(s)
        case .bool(let b): self = .bool(b)
        case .null, .array, .object: return nil
        }
    }
}

extension JSONValue {
    /// A parameter value as a trial config (and structured output) holds it.
    public init(_ value: ParamValue) {
        switch value {
        case .double(let x): self = .number(x)
        case .int(let x): self = .number(Double(x))
        case .string(let s): self = .string(s)
        case .bool(let b): self = .bool(b)
        }
    }
}
