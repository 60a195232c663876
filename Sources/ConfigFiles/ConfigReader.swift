import TrialProtocol

/// Typed, validating access to one mapping of a `ConfigDocument`. Every read
/// names its dotted field in errors; `finish()` rejects fields nobody read,
/// so a typo is an error instead of a silently ignored setting.
public final class ConfigReader {
    public let document: ConfigDocument
    public let path: String
    let object: [String: JSONValue]
    var consumed: Set<String> = []

    public init(_ document: ConfigDocument, path: String = "") throws {
        self.document = document
        self.path = path
        var node = document.root
        if !path.isEmpty {
            for part in path.split(separator: ".") { node = node[String(part)] ?? .null }
        }
        switch node {
        case .object(let o): object = o
        case .null: object = [:]
        default: throw document.error(field: path, "must be a mapping of fields (got \(Self.show(node)))")
        }
    }

    func field(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    public func has(_ key: String) -> Bool { if case .some(let v) = object[key], v != .null { return true }; return false }

    public func section(_ key: String) throws -> ConfigReader {
        consumed.insert(key)
        return try ConfigReader(document, path: field(key))
    }

    public func raw(_ key: String) -> JSONValue? {
        consumed.insert(key)
        if case .some(let v) = object[key], v != .null { return v }
        return nil
    }

    public func double(_ key: String, default d: Double? = nil, _ rule: String = "", where ok: (Double) -> Bool = { _ in true }) throws -> Double {
        guard let v = raw(key) else {
            if let d { return d }
            throw missing(key, "a number\(rule.isEmpty ? "" : ", " + rule)")
        }
        guard case .number(let x) = v else { throw document.error(field: field(key), "must be a number\(rule.isEmpty ? "" : ", " + rule) (got \(Self.show(v)))") }
        guard ok(x) else { throw document.error(field: field(key), "\(rule.isEmpty ? "invalid value" : "must be " + rule) (got \(Self.show(v)))") }
        return x
    }

    public func optionalDouble(_ key: String, _ rule: String = "", where ok: (Double) -> Bool = { _ in true }) throws -> Double? {
        has(key) ? try double(key, rule, where: ok) : { consumed.insert(key); return nil }()
    }

    public func int(_ key: String, default d: Int? = nil, _ rule: String = "", where ok: (Int) -> Bool = { _ in true }) throws -> Int {
        guard let v = raw(key) else {
            if let d { return d }
            throw missing(key, "an integer\(rule.isEmpty ? "" : ", " + rule)")
        }
        guard case .number(let x) = v, x == x.rounded(), abs(x) < 9e15 else {
            throw document.error(field: field(key), "must be an integer\(rule.isEmpty ? "" : ", " + rule) (got \(Self.show(v)))")
        }
        guard ok(Int(x)) else { throw document.error(field: field(key), "\(rule.isEmpty ? "invalid value" : "must be " + rule) (got \(Self.show(v)))") }
        return Int(x)
    }

    public func optionalInt(_ key: String, _ rule: String = "", where ok: (Int) -> Bool = { _ in true }) throws -> Int? {
        has(key) ? try int(key, rule, where: ok) : { consumed.insert(key); return nil }()
    }

    public func bool(_ key: String, default d: Bool) throws -> Bool {
        guard let v = raw(key) else { return d }
        guard case .bool(let b) = v else { throw document.error(field: field(key), "must be true or false (got \(Self.show(v)))") }
        return b
    }

    public func string(_ key: String, default d: String? = nil) throws -> String {
        guard let v = raw(key) else {
            if let d { return d }
            throw missing(key, "a string")
        }
        switch v {
        case .string(let s): return s
        case .number(let x) where x == x.rounded(): return String(Int(x))
        default: throw document.error(field: field(key), "must be a string (got \(Self.show(v)))")
        }
    }

    public func optionalString(_ key: String) throws -> String? {
        has(key) ? try string(key) : { consumed.insert(key); return nil }()
    }

    public func choice<E: RawRepresentable & CaseIterable>(_ key: String, default d: E? = nil) throws -> E where E.RawValue == String {
        let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
        guard let v = raw(key) else {
            if let d { return d }
            throw missing(key, "one of: \(allowed)")
        }
        guard case .string(let s) = v, let e = E(rawValue: s) else {
            var hint = ""
            if case .string(let s) = v, let near = NearestName.suggestion(for: s, among: E.allCases.map(\.rawValue)) {
                hint = "; did you mean \(near)?"
            }
            throw document.error(field: field(key), "must be one of: \(allowed) (got \(Self.show(v)))\(hint)")
        }
        return e
    }

    /// Rejects unknown fields in this mapping, suggesting the allowed field a typo
    /// was probably meant to be.
    public func finish() throws {
        try rejectUnknown(allowed: consumed)
    }

    /// Rejects fields outside `allowed` before anything is read: a misspelt optional
    /// section is then reported as such, not through what its absence breaks later.
    public func rejectUnknown(allowed: some Sequence<String>) throws {
        let allowed = Set(allowed).sorted()
        for key in object.keys.sorted() where !allowed.contains(key) {
            let hint = NearestName.suggestion(for: key, among: allowed).map { "; did you mean \($0)?" } ?? ""
            throw document.error(field: field(key), "unknown field\(hint) (allowed here: \(allowed.joined(separator: ", ")))")
        }
    }

    /// The error for a required field that is absent. A present field that looks
    /// like its misspelling is named instead, with its line: that is what to fix.
    public func missing(_ key: String, _ what: String) -> ConfigFileError {
        let unread = object.keys.filter { !consumed.contains($0) }.sorted()
        if let typo = unread.first(where: { NearestName.suggestion(for: $0, among: [key]) != nil }) {
            return document.error(field: field(typo), "unknown field; did you mean \(key)? (\(key) is required: \(what))")
        }
        return document.error(field: field(key), "is required (\(what))")
    }

    /// A value as error messages quote it: numbers without a needless ".0", strings quoted.
    public static func show(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .number(let x): x == x.rounded() && abs(x) < 1e15 ? "\(Int(x))" : "\(x)"
        case .string(let s): "\"\(s)\""
        case .array: "a list"
        case .object: "a mapping"
        }
    }
}
