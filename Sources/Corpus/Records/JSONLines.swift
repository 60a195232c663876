import Foundation

/// A value in a JSON Lines record: the records here only hold strings and integers.
public enum JSONScalar: Sendable, Equatable {
    case string(String)
    case int(Int)
}

/// A record written as one line of JSON Lines.
public protocol JSONLineRecord {
    /// The record's fields; written with keys in sorted order.
    var jsonFields: [(key: String, value: JSONScalar)] { get }
}

/// Deterministic JSON Lines encoding, written by hand rather than with
/// `JSONEncoder` so the bytes (and the manifest's content hashes) do not
/// depend on the Foundation version or platform: keys sorted by UTF-8 bytes,
/// no spaces, strings escaped per RFC 8259 with the minimum escapes (`"`, `\`,
/// control characters; `/` and non-ASCII are written as they are), one object
/// per line, every line ending in "\n".
public enum JSONLines {
    public static func encode<T: JSONLineRecord>(_ records: [T]) -> Data {
        var out = Data()
        for record in records {
            out.append(contentsOf: line(record.jsonFields).utf8)
            out.append(0x0A)
        }
        return out
    }

    static func line(_ fields: [(key: String, value: JSONScalar)]) -> String {
        let sorted = fields.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        var s = "{"
        for (i, field) in sorted.enumerated() {
            if i > 0 { s += "," }
            s += quote(field.key) + ":"
            switch field.value {
            case .string(let text): s += quote(text)
            case .int(let n): s += String(n)
            }
        }
        return s + "}"
    }

    static func quote(_ text: String) -> String {
        var s = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": s += "\\\""
            case "\\": s += "\\\\"
            case "\n": s += "\\n"
            case "\r": s += "\\r"
            case "\t": s += "\\t"
            case "\u{08}": s += "\\b"
            case "\u{0C}": s += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    s += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    s.unicodeScalars.append(scalar)
                }
            }
        }
        return s + "\""
    }
}

extension TextDocument: JSONLineRecord {
    public var jsonFields: [(key: String, value: JSONScalar)] {
        [("id", .string(id)), ("text", .string(text))]
    }
}

extension MathDocument: JSONLineRecord {
    public var jsonFields: [(key: String, value: JSONScalar)] {
        [("id", .string(id)), ("problem", .string(problem)), ("solution", .string(solution)),
         ("answer", .string(answer)), ("family", .string(family)), ("difficulty", .int(difficulty))]
    }
}

extension DownstreamExample: JSONLineRecord {
    public var jsonFields: [(key: String, value: JSONScalar)] {
        [("id", .string(id)), ("question", .string(question)), ("answer", .string(answer)), ("family", .string(family))]
    }
}
