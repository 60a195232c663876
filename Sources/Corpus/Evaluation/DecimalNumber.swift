/// An exact decimal read from text, compared digit by digit (never through a
/// floating-point value), so `3.50 == 3.5`, `7 == 7.0`, `-0 == 0` and
/// `0.1 + 0.2`-style rounding can never make a wrong answer match.
///
/// Accepted text: optional `-`, then digits with an optional `.` and fraction
/// digits (`12`, `12.`, `12.50`, `.5`); at least one digit. Commas, `$` and
/// spaces are not accepted here; `AnswerExtraction` strips them first.
public struct DecimalNumber: Sendable, Equatable, CustomStringConvertible {
    public let isNegative: Bool
    /// Integer digits without leading zeros ("" for zero).
    public let integerDigits: String
    /// Fraction digits without trailing zeros ("" for an integer).
    public let fractionDigits: String

    public init?(_ text: String) {
        var chars = Substring(text)
        var negative = false
        if chars.first == "-" {
            negative = true
            chars = chars.dropFirst()
        }
        let parts = chars.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let intPart = parts.first ?? ""
        let fracPart = parts.count > 1 ? parts[1] : ""
        guard intPart.allSatisfy(\.isASCIIDigit), fracPart.allSatisfy(\.isASCIIDigit),
              !(intPart.isEmpty && fracPart.isEmpty) else { return nil }
        let intDigits = String(intPart.drop { $0 == "0" })
        var fracDigits = String(fracPart)
        while fracDigits.last == "0" { fracDigits.removeLast() }
        integerDigits = intDigits
        fractionDigits = fracDigits
        // "-0" and "-0.00" are zero, and zero has no sign.
        isNegative = negative && !(intDigits.isEmpty && fracDigits.isEmpty)
    }

    /// Canonical text: `1234`, `-5`, `3.5`, `0.25`, `0`.
    public var description: String {
        let intText = integerDigits.isEmpty ? "0" : integerDigits
        let body = fractionDigits.isEmpty ? intText : intText + "." + fractionDigits
        return isNegative ? "-" + body : body
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
