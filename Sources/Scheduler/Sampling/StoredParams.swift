import SweepStore
import TrialProtocol

/// Conversions between the store's parameter values and the JSON values of trial
/// configs. In a file of its own: `Search` and `SweepStore` both name a type
/// `ParamValue`, and only this file imports `SweepStore` without `Search`.
enum StoredParams {
    static func stored(_ params: [String: JSONValue]) -> [String: ParamValue] {
        params.compactMapValues { json in
            switch json {
            case .number(let x) where x == x.rounded() && abs(x) < 9e15: return .int(Int64(x))
            case .number(let x): return .double(x)
            case .string(let s): return .string(s)
            case .bool(let b): return .bool(b)
            case .null, .array, .object: return nil
            }
        }
    }

    static func json(_ params: [String: ParamValue]) -> [String: JSONValue] {
        params.mapValues { value in
            switch value {
            case .double(let x): return .number(x)
            case .int(let x): return .number(Double(x))
            case .string(let s): return .string(s)
            case .bool(let b): return .bool(b)
            }
        }
    }
}
