/// How a final answer is read from a worked answer or from model output, and
/// what counts as a match. These rules decide Pass@1; docs/data.md repeats them.
///
/// Extraction (`finalAnswer(in:)`):
/// 1. Find the **first** occurrence of `####`; take the rest of that line.
///    No `####` anywhere ⇒ no answer (`nil`, scored as wrong).
/// 2. Trim spaces/tabs. If the rest begins with a number — an optional `-`, an
///    optional `$` (either order: `-$5`, `$-5`), then digits, commas and at most
///    one `.` — that number is the answer: commas are removed, a trailing `.`
///    is dropped, and the value is written canonically (`1,234` → `1234`,
///    `3.50` → `3.5`, `$5.` → `5`, `-0` → `0`). Text after the number (units,
///    `%`, words) is ignored: `#### 12 apples` → `12`.
/// 3. Otherwise the trimmed rest of the line, minus one trailing `.`, is a
///    non-numeric answer (`#### yes` → `yes`); an empty rest ⇒ `nil`.
///
/// Matching (`isCorrect(predicted:reference:)`): a `nil` prediction is wrong.
/// If both sides read as numbers (after removing `$` and commas), they match iff
/// they are the same exact decimal (`7 == 7.0`, `3.50 == 3.5`, `0.33 != 1/3`).
/// Otherwise they match iff the trimmed strings are equal (case-sensitive).
public enum AnswerExtraction {
    public static let marker = "####"

    public static func finalAnswer(in text: String) -> String? {
        guard let markerRange = text.range(of: marker) else { return nil }
        let rest = text[markerRange.upperBound...]
        let line = rest.prefix { $0 != "\n" && $0 != "\r" }
        let trimmed = line.trimmingSpaces()
        if let number = leadingNumber(in: trimmed) {
            return number.description
        }
        var word = trimmed
        if word.last == "." { word = word.dropLast().trimmingSpaces() }
        return word.isEmpty ? nil : String(word)
    }

    /// Reads `text` as a number the way references are written (`1,234`, `$5`,
    /// `-3.50`, `5.`); nil when anything else is in it.
    public static func number(from text: String) -> DecimalNumber? {
        let trimmed = Substring(text).trimmingSpaces()
        guard let (value, rest) = scanNumber(trimmed), rest.isEmpty || rest == "." else { return nil }
        return value
    }

    public static func isCorrect(predicted: String?, reference: String) -> Bool {
        guard let predicted else { return false }
        if let p = number(from: predicted), let r = number(from: reference) {
            return p == r
        }
        return predicted.trimmingSpacesAndNewlines() == reference.trimmingSpacesAndNewlines()
    }

    /// The number at the start of `text` per rule 2, or nil.
    static func leadingNumber(in text: Substring) -> DecimalNumber? {
        scanNumber(text)?.value
    }

    /// Scans rule 2's number at the start of `text`; returns it and what follows.
    static func scanNumber(_ text: Substring) -> (value: DecimalNumber, rest: Substring)? {
        var rest = text
        var negative = false
        var dollar = false
        // Sign and dollar sign, in either order, each at most once.
        for _ in 0..<2 {
            if rest.first == "-" && !negative {
                negative = true
                rest = rest.dropFirst()
            } else if rest.first == "$" && !dollar {
                dollar = true
                rest = rest.dropFirst()
            }
        }
        var token = ""
        var seenPoint = false
        var end = rest.startIndex
        for index in rest.indices {
            let ch = rest[index]
            if ch.isASCIIDigit {
                token.append(ch)
            } else if ch == "," && !seenPoint {
                // Thousands separator: dropped.
            } else if ch == "." && !seenPoint {
                seenPoint = true
                token.append(ch)
            } else {
                break
            }
            end = rest.index(after: index)
        }
        guard token.contains(where: \.isASCIIDigit) else { return nil }
        if token.last == "." { token.removeLast() }
        guard let value = DecimalNumber((negative ? "-" : "") + token) else { return nil }
        return (value, rest[end...])
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }),
              let last = lastIndex(where: { !isSpace($0) }) else { return self[endIndex...] }
        return self[first...last]
    }
}

extension String {
    func trimmingSpacesAndNewlines() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
              let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
