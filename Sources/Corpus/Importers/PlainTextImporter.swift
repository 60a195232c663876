import Foundation

/// Reads plain text as unlabeled documents.
///
/// `.paragraphs` (default): one document per paragraph, paragraphs being
/// separated by one or more blank (whitespace-only) lines; each paragraph is
/// trimmed, and its lines kept with their "\n". `.wholeFile`: the whole file
/// (trimmed) is one document. Bytes that are not valid UTF-8 are an error
/// naming the file and the 1-based line of the first bad paragraph line; with
/// `skipBad` that paragraph (or the whole file in `.wholeFile`) is skipped
/// and counted. Document ids are `<file name>:<first line>`.
///
/// Also reads JSON Lines of `{"text": "..."}` (the project's base.jsonl) with
/// `loadJSONL`.
public enum PlainTextImporter {
    public enum Mode: String, Codable, Sendable, CaseIterable {
        case paragraphs
        case wholeFile = "whole_file"
    }

    public static func load(path: String, mode: Mode = .paragraphs, skipBad: Bool = false) throws -> ImportResult<TextDocument> {
        let data = try JSONLineReader.readData(path)
        let name = JSONLineReader.fileName(path)
        var lines = Array(data.split(separator: 0x0A, omittingEmptySubsequences: false))
        if lines.last?.isEmpty == true { lines.removeLast() }
        // Paragraphs as (first line number, lines).
        var paragraphs: [(Int, [Data])] = []
        switch mode {
        case .wholeFile:
            paragraphs = [(1, lines.map { Data($0) })]
        case .paragraphs:
            var current: [Data] = []
            var first = 0
            for (i, raw) in lines.enumerated() {
                var line = Data(raw)
                if line.last == 0x0D { line = line.dropLast() }
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                    if !current.isEmpty { paragraphs.append((first, current)); current = [] }
                } else {
                    if current.isEmpty { first = i + 1 }
                    current.append(line)
                }
            }
            if !current.isEmpty { paragraphs.append((first, current)) }
        }
        var records: [TextDocument] = []
        var skipped: [ImportError] = []
        for (first, paragraphLines) in paragraphs {
            var texts: [String] = []
            var badLine: Int?
            for (offset, line) in paragraphLines.enumerated() {
                guard let text = String(data: line, encoding: .utf8) else {
                    badLine = first + offset
                    break
                }
                texts.append(text)
            }
            if let badLine {
                let error = ImportError(path: path, line: badLine, problem: "not valid UTF-8")
                if !skipBad { throw error }
                skipped.append(error)
                continue
            }
            let text = texts.joined(separator: "\n").trimmingSpacesAndNewlines()
            if !text.isEmpty { records.append(TextDocument(id: "\(name):\(first)", text: text)) }
        }
        return ImportResult(records: records, skipped: skipped)
    }

    /// JSON Lines with a required non-empty string `text` and optional `id`.
    public static func loadJSONL(path: String, skipBad: Bool = false) throws -> ImportResult<TextDocument> {
        let name = JSONLineReader.fileName(path)
        return try JSONLineReader.read(path, skipBad: skipBad) { object, line in
            TextDocument(id: JSONLineReader.optionalText(object, "id") ?? "\(name):\(line)",
                         text: try JSONLineReader.string(object, "text"))
        }
    }
}
