import Foundation

/// Reads a JSON Lines file object by object, with line numbers.
///
/// Blank (whitespace-only) lines are ignored, as most JSONL tools do; a final
/// line without "\n" is read; "\r\n" endings are accepted. Each non-blank line
/// must be one JSON object.
enum JSONLineReader {
    typealias Object = [String: Any]

    /// The last path component: record ids of imported files start with it.
    static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    static func readData(_ path: String) throws -> Data {
        guard FileManager.default.fileExists(atPath: path) else { throw DatasetError.missingFile(path: path) }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw DatasetError.io(path: path, message: "cannot read: \(error.localizedDescription)")
        }
    }

    /// Calls `parse` for each object; a throw of `LineProblem` from `parse` or a
    /// JSON problem becomes an `ImportError` at that line, which is thrown, or
    /// (with `skipBad`) recorded and skipped.
    static func read<R: Sendable>(_ path: String, skipBad: Bool,
                                  parse: (Object, Int) throws -> R) throws -> ImportResult<R> {
        let data = try readData(path)
        var records: [R] = []
        var skipped: [ImportError] = []
        var lineNumber = 0
        for rawLine in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine
            if line.last == 0x0D { line = line.dropLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            do {
                let object = try parseObject(Data(line))
                records.append(try parse(object, lineNumber))
            } catch let problem as LineProblem {
                let error = ImportError(path: path, line: lineNumber, problem: problem.message)
                if !skipBad { throw error }
                skipped.append(error)
            }
        }
        return ImportResult(records: records, skipped: skipped)
    }

    private static func parseObject(_ line: Data) throws -> Object {
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: line, options: [])
        } catch {
            throw LineProblem("invalid JSON")
        }
        guard let object = value as? Object else { throw LineProblem("expected a JSON object") }
        return object
    }

    /// A required string field, non-empty after trimming.
    static func string(_ object: Object, _ field: String) throws -> String {
        guard let raw = object[field] else { throw LineProblem("missing field '\(field)'") }
        guard let text = raw as? String else { throw LineProblem("field '\(field)' is not a string") }
        guard !text.trimmingSpacesAndNewlines().isEmpty else { throw LineProblem("field '\(field)' is empty") }
        return text
    }

    /// An optional field read as text: strings as they are, numbers printed.
    static func optionalText(_ object: Object, _ field: String) -> String? {
        switch object[field] {
        case let s as String: return s
        case let n as NSNumber: return n.stringValue
        default: return nil
        }
    }
}

/// The reason one line is bad (the reader adds file and line).
struct LineProblem: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
