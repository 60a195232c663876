import Foundation

/// Deterministic JSON Lines encoding: sorted keys, no escaped slashes, one
/// object per line, every line ending in "\n". Same records ⇒ same bytes.
public enum JSONLines {
    public static func encode<T: Encodable>(_ records: [T]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = Data()
        for record in records {
            out.append(try encoder.encode(record))
            out.append(0x0A)
        }
        return out
    }
}
