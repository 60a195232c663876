import Vocabulary
import Foundation

/// The JSON text formats of the store's TEXT columns.
///
/// - `trial.params`: an object with sorted keys, values as `ParamValue` (finite only).
/// - `report.metrics`, `decision.detail`: an object with sorted keys whose values are
///   numbers, with non-finite ones as the strings "NaN", "Infinity", "-Infinity".
///
/// Metrics are encoded by hand because they are written once per report, on the path
/// whose overhead the scheduler budgets per report; decoding (reads) uses Foundation.
enum StoredJSON {
    static func encodeParams(_ params: [String: ParamValue]) throws -> String {
        for (name, value) in params {
            if case .double(let number) = value, !number.isFinite {
                throw SweepStoreError.invalidInput(
                    field: "params.\(name)", reason: "a parameter must be finite, got \(number)")
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(params)
        return String(decoding: data, as: UTF8.self)
    }

    static func decodeParams(_ text: String) throws -> [String: ParamValue] {
        do {
            return try JSONDecoder().decode([String: ParamValue].self, from: Data(text.utf8))
        } catch {
            throw SweepStoreError.corruptRow(table: "trial", column: "params", detail: "\(error)")
        }
    }

    static func encodeNumbers(_ numbers: [String: Double]) -> String {
        var text = "{"
        for (index, name) in numbers.keys.sorted().enumerated() {
            if index > 0 { text += "," }
            JSONStringLiteral.append(name, to: &text)
            text += ":"
            let value = numbers[name]!
            if value.isNaN {
                text += "\"NaN\""
            } else if value == .infinity {
                text += "\"Infinity\""
            } else if value == -.infinity {
                text += "\"-Infinity\""
            } else {
                // Swift's description is the shortest text that round-trips and is
                // valid JSON for finite values ("0.1", "1e-05", "3.0").
                text += value.description
            }
        }
        text += "}"
        return text
    }

    static func decodeNumbers(_ text: String, table: String, column: String) throws -> [String: Double] {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            return try decoder.decode([String: Double].self, from: Data(text.utf8))
        } catch {
            throw SweepStoreError.corruptRow(table: table, column: column, detail: "\(error)")
        }
    }
}
