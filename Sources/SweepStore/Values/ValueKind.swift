import GRDB

/// How a possibly non-finite objective is stored: SQLite turns NaN into NULL, so the
/// number goes in a REAL column that is NULL unless the kind is `finite`, and the kind
/// in a text column next to it (as Optuna does).
public enum ValueKind: String, Sendable, CaseIterable, Codable, DatabaseValueConvertible {
    case finite
    case nan
    case posinf
    case neginf

    public init(of value: Double) {
        if value.isNaN {
            self = .nan
        } else if value == .infinity {
            self = .posinf
        } else if value == -.infinity {
            self = .neginf
        } else {
            self = .finite
        }
    }

    /// The REAL column's content for `value`: the value when finite, else NULL.
    static func storedNumber(_ value: Double) -> Double? {
        value.isFinite ? value : nil
    }

    /// Rebuilds the value from the two columns. A `finite` kind with a NULL number is a
    /// corrupt row; the schema's CHECK constraint forbids it, so it reads as NaN.
    public func value(stored: Double?) -> Double {
        switch self {
        case .finite: return stored ?? .nan
        case .nan: return .nan
        case .posinf: return .infinity
        case .neginf: return -.infinity
        }
    }
}
