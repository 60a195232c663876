import Foundation
import TrialProtocol
import Yams

/// A configuration or spec file parsed into a JSON tree, remembering the
/// source line of every field so that errors can name file, line and field.
public struct ConfigDocument: Sendable {
    public var root: JSONValue
    /// Where the text came from (a path, or "--set" / "<string>").
    public var source: String
    /// Dotted field path → 1-based line in `source` (YAML only).
    public var lines: [String: Int]
    /// Dotted keys set by `apply(overrides:)`.
    public var overridden: Set<String> = []

    public init(root: JSONValue, source: String, lines: [String: Int] = [:]) {
        self.root = root; self.source = source; self.lines = lines
    }

    /// Reads a `.json`, `.yaml` or `.yml` file (JSON is also valid YAML, so
    /// any other extension is read as YAML).
    public static func load(path: String) throws -> ConfigDocument {
        // Refused before reading: a huge file would be read whole only to be refused.
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > YAMLGuard.maxBytes {
            throw ConfigFileError(source: path, line: nil, field: nil,
                                  message: "the file is \(size) bytes; config and spec files are limited to \(YAMLGuard.maxBytes) bytes (1 MiB)")
        }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigFileError(source: path, line: nil, field: nil, message: "cannot read file (\((error as NSError).localizedDescription))")
        }
        return try parse(yaml: text, source: path)
    }

    public static func parse(yaml text: String, source: String) throws -> ConfigDocument {
        try YAMLGuard.check(text, source: source)
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch YamlError.duplicatedKeysInMapping(let keys, let context) {
            // Yams' own message quotes the whole text; name the key and its first line instead.
            throw ConfigFileError(source: source, line: context.mark.line, field: keys.joined(separator: ", "),
                                  message: "duplicate field (given more than once in one mapping; first at this line)")
        } catch let e as YamlError {
            throw ConfigFileError(source: source, line: Self.line(of: e), field: nil, message: "not valid YAML/JSON: \(Self.describe(e))")
        } catch {
            throw ConfigFileError(source: source, line: nil, field: nil, message: "not valid YAML/JSON: \(error)")
        }
        guard let node else { return ConfigDocument(root: .object([:]), source: source) }
        var lines: [String: Int] = [:]
        let root = try convert(node, path: "", source: source, lines: &lines)
        guard case .object = root else {
            throw ConfigFileError(source: source, line: node.mark?.line, field: nil, message: "the top level must be a mapping of fields")
        }
        return ConfigDocument(root: root, source: source, lines: lines)
    }

    /// The error for `field`, with its line when known.
    public func error(field: String, _ message: String) -> ConfigFileError {
        if overridden.contains(where: { field == $0 || field.hasPrefix($0 + ".") }) {
            return ConfigFileError(source: "--set", line: nil, field: field, message: message)
        }
        var probe = field
        var line = lines[probe]
        while line == nil, let dot = probe.lastIndex(of: ".") {
            probe = String(probe[..<dot])
            line = lines[probe]
        }
        return ConfigFileError(source: source, line: line, field: field, message: message)
    }

    // MARK: YAML → JSON

    static func convert(_ node: Node, path: String, source: String, lines: inout [String: Int]) throws -> JSONValue {
        if !path.isEmpty, let m = node.mark { lines[path] = m.line }
        // Yams hands an alias back as its anchored node: refusing every anchored node
        // here, before descending, keeps a missed alias from being copied out.
        if let anchor = node.anchor {
            throw YAMLGuard.anchorError(UInt8(ascii: "&"), name: anchor.rawValue, source: source, line: node.mark?.line ?? 0)
        }
        switch node {
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (k, v) in mapping {
                guard let key = k.string else {
                    throw ConfigFileError(source: source, line: k.mark?.line, field: path.isEmpty ? nil : path,
                                          message: "mapping keys must be strings")
                }
                let child = path.isEmpty ? key : path + "." + key
                if object[key] != nil {
                    throw ConfigFileError(source: source, line: k.mark?.line, field: child, message: "duplicate field")
                }
                if let m = k.mark { lines[child] = m.line }
                object[key] = try convert(v, path: child, source: source, lines: &lines)
                if let m = k.mark { lines[child] = m.line }
            }
            return .object(object)
        case .sequence(let seq):
            return .array(try seq.enumerated().map { i, v in
                try convert(v, path: "\(path)[\(i)]", source: source, lines: &lines)
            })
        case .scalar(let scalar):
            if scalar.style == .plain && isNonFiniteNumber(scalar.string) {
                throw ConfigFileError(source: source, line: node.mark?.line, field: path.isEmpty ? nil : path,
                                      message: "not a finite number (got \(scalar.string)); numbers, ranges included, must be finite")
            }
            return scalarValue(scalar)
        case .alias:
            throw ConfigFileError(source: source, line: node.mark?.line, field: path, message: "YAML aliases are not supported")
        }
    }

    /// YAML 1.2 core schema for plain scalars; quoted scalars stay strings.
    static func scalarValue(_ s: Node.Scalar) -> JSONValue {
        if s.style != .plain { return .string(s.string) }
        switch s.string {
        case "null", "Null", "NULL", "~", "": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let d = parseNumber(s.string) { return .number(d) }
        return .string(s.string)
    }

    static func parseNumber(_ text: String) -> Double? {
        let t = text.replacingOccurrences(of: "_", with: "")
        guard let first = t.first, first.isNumber || first == "-" || first == "+" || first == "." else { return nil }
        guard let d = Double(t), d.isFinite else { return nil }
        return d
    }

    /// YAML 1.2's `.inf` and `.nan`, and numerals beyond Double's range (`1.0e400`),
    /// which would otherwise be read as strings and refused as the wrong type.
    static func isNonFiniteNumber(_ text: String) -> Bool {
        let t = text.replacingOccurrences(of: "_", with: "")
        let unsigned = t.hasPrefix("-") || t.hasPrefix("+") ? String(t.dropFirst()) : t
        if [".inf", ".Inf", ".INF"].contains(unsigned) || [".nan", ".NaN", ".NAN"].contains(t) { return true }
        guard t.contains(where: \.isNumber), t.allSatisfy({ "0123456789+-.eE".contains($0) }), let d = Double(t) else { return false }
        return !d.isFinite
    }

    static func line(of e: YamlError) -> Int? {
        switch e {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    static func describe(_ e: YamlError) -> String {
        switch e {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "\(problem) at line \(mark.line), column \(mark.column)"
        default: return "\(e)"
        }
    }
}

/// An error in a config or spec file: names the file, line and field, and says
/// what is wrong or allowed.
public struct ConfigFileError: Error, CustomStringConvertible, Equatable, Sendable {
    public var source: String
    public var line: Int?
    public var field: String?
    public var message: String

    public init(source: String, line: Int?, field: String?, message: String) {
        self.source = source; self.line = line; self.field = field; self.message = message
    }

    public var description: String {
        var place = source
        if let line { place += ":\(line)" }
        if let field { return "\(place): \(field): \(message)" }
        return "\(place): \(message)"
    }
}
