/// What a table cell holds, as far as rendering cares.
public enum TableCell {
    /// True when the cell is a finite number in JSON's grammar
    /// (−?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+−]?[0-9]+)?), so that it can be written into
    /// JSON verbatim and right-aligned. "007", "1.", ".5", "0x10", "nan" and "inf" are text.
    public static func isNumeric(_ cell: String) -> Bool {
        var chars = Array(cell.utf8)[...]
        func digits() -> Int {
            var count = 0
            while let c = chars.first, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { chars.removeFirst(); count += 1 }
            return count
        }
        if chars.first == UInt8(ascii: "-") { chars.removeFirst() }
        guard let first = chars.first else { return false }
        if first == UInt8(ascii: "0") {
            chars.removeFirst()
        } else if digits() == 0 {
            return false
        }
        if chars.first == UInt8(ascii: ".") {
            chars.removeFirst()
            if digits() == 0 { return false }
        }
        if chars.first == UInt8(ascii: "e") || chars.first == UInt8(ascii: "E") {
            chars.removeFirst()
            if chars.first == UInt8(ascii: "+") || chars.first == UInt8(ascii: "-") { chars.removeFirst() }
            if digits() == 0 { return false }
        }
        guard chars.isEmpty else { return false }
        return Double(cell)?.isFinite ?? false
    }
}
