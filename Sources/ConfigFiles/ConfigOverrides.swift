import TrialProtocol

extension ConfigDocument {
    /// Applies `key=value` overrides with dotted keys (`learner.lr=3e-4`,
    /// `budget.updates=500`). The value is read as YAML (so numbers, booleans,
    /// null, lists and mappings work); a value that does not parse is a string.
    public mutating func apply(overrides: [String]) throws {
        for item in overrides {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw ConfigFileError(source: "--set", line: nil, field: nil, message: "expected key=value, got \"\(item)\"")
            }
            let key = String(item[..<eq])
            let text = String(item[item.index(after: eq)...])
            let value: JSONValue
            if let doc = try? ConfigDocument.parse(yaml: "v: " + text, source: "--set"), let v = doc.root["v"] {
                value = v
            } else {
                value = .string(text)
            }
            let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !parts.contains(where: \.isEmpty) else {
                throw ConfigFileError(source: "--set", line: nil, field: key, message: "empty component in dotted key")
            }
            try Self.set(&root, parts[...], value, key: key)
            // The value now comes from the command line: errors about it cite --set.
            for k in lines.keys where k == key || k.hasPrefix(key + ".") { lines.removeValue(forKey: k) }
            overridden.insert(key)
        }
    }

    static func set(_ node: inout JSONValue, _ path: ArraySlice<String>, _ value: JSONValue, key: String) throws {
        guard let head = path.first else { node = value; return }
        var object: [String: JSONValue]
        switch node {
        case .object(let o): object = o
        case .null: object = [:]
        default:
            throw ConfigFileError(source: "--set", line: nil, field: key,
                                  message: "cannot set a field inside \"\(head)\"'s parent, which is not a mapping")
        }
        var child = object[head] ?? .null
        try set(&child, path.dropFirst(), value, key: key)
        object[head] = child
        node = .object(object)
    }
}
