import Foundation

/// A line that is not a protocol event. The scheduler logs and ignores these.
public struct ProtocolDecodingError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

private let nonFiniteEncoding = JSONEncoder.NonConformingFloatEncodingStrategy
    .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
private let nonFiniteDecoding = JSONDecoder.NonConformingFloatDecodingStrategy
    .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")

private struct EventTag: Decodable { var event: String }

extension TrialEvent {
    /// Encodes the event as one JSON line (no trailing newline), keys sorted so
    /// that equal events give equal lines.
    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = nonFiniteEncoding
        let body: Data
        do {
            switch self {
            case .started(let e): body = try encoder.encode(e)
            case .report(let e): body = try encoder.encode(e)
            case .checkpoint(let e): body = try encoder.encode(e)
            case .finished(let e): body = try encoder.encode(e)
            case .error(let e): body = try encoder.encode(e)
            }
        } catch {
            // Only non-encodable doubles could fail, and those are converted above.
            preconditionFailure("trial event failed to encode: \(error)")
        }
        let object = String(decoding: body, as: UTF8.self)
        let tag = "{\"event\":\"\(kind)\""
        return object == "{}" ? tag + "}" : tag + "," + object.dropFirst()
    }

    /// Decodes one line of engine stdout.
    public init(jsonLine line: some StringProtocol) throws {
        try self.init(jsonData: Data(line.utf8))
    }

    /// Python's `json.dumps` writes non-finite numbers as the bare tokens `NaN`,
    /// `Infinity` and `-Infinity`, which are not JSON: such a line is read as if they
    /// were the protocol's strings, so a diverged trial fails instead of its report
    /// being dropped.
    public init(jsonData data: Data) throws {
        do {
            try self.init(strictJSON: data)
        } catch let error as ProtocolDecodingError {
            guard let quoted = BareNonFinite.quoted(Array(data)) else { throw error }
            try self.init(strictJSON: Data(quoted))
        }
    }

    private init(strictJSON data: Data) throws {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = nonFiniteDecoding
        let tag: EventTag
        do { tag = try decoder.decode(EventTag.self, from: data) } catch {
            throw ProtocolDecodingError("not a protocol event (expected a JSON object with an \"event\" field)")
        }
        do {
            switch tag.event {
            case "started": self = .started(try decoder.decode(Started.self, from: data))
            case "report": self = .report(try decoder.decode(Report.self, from: data))
            case "checkpoint": self = .checkpoint(try decoder.decode(Checkpoint.self, from: data))
            case "finished": self = .finished(try decoder.decode(Finished.self, from: data))
            case "error": self = .error(try decoder.decode(ErrorEvent.self, from: data))
            default: throw ProtocolDecodingError("unknown event \"\(tag.event)\"")
            }
        } catch let e as ProtocolDecodingError {
            throw e
        } catch let e as DecodingError {
            throw ProtocolDecodingError("malformed \"\(tag.event)\" event: \(Self.describe(e))")
        }
    }

    private static func describe(_ e: DecodingError) -> String {
        func path(_ c: [CodingKey]) -> String { c.map(\.stringValue).joined(separator: ".") }
        switch e {
        case .keyNotFound(let k, let ctx): return "missing field \(path(ctx.codingPath + [k]))"
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx), .dataCorrupted(let ctx):
            return "bad field \(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default: return "\(e)"
        }
    }
}

/// Bare `NaN` / `Infinity` / `-Infinity` tokens outside JSON strings.
enum BareNonFinite {
    private static let tokens: [[UInt8]] = ["-Infinity", "Infinity", "NaN"].map { Array($0.utf8) }

    /// The line with each bare token quoted, or nil when it has none.
    static func quoted(_ bytes: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8)
        var i = 0
        var inString = false
        var changed = false
        while i < bytes.count {
            let c = bytes[i]
            if inString {
                out.append(c)
                if c == UInt8(ascii: "\\"), i + 1 < bytes.count { out.append(bytes[i + 1]); i += 2; continue }
                if c == UInt8(ascii: "\"") { inString = false }
                i += 1
                continue
            }
            if c == UInt8(ascii: "\"") { inString = true }
            if let token = tokens.first(where: { bytes[i...].starts(with: $0) }) {
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: token)
                out.append(UInt8(ascii: "\""))
                i += token.count
                changed = true
                continue
            }
            out.append(c)
            i += 1
        }
        return changed ? out : nil
    }
}

extension Dictionary where Key == String, Value == Double {
    /// Names of metrics whose value is NaN or infinite.
    public var nonFiniteKeys: [String] { keys.filter { !self[$0]!.isFinite }.sorted() }
}
