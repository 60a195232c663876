import Foundation

/// Accumulates SVG elements; every attribute value and text goes through `Markup.escape`.
struct SVGWriter {
    private(set) var lines: [String] = []

    /// A line that is already escaped SVG (another writer's output).
    mutating func appendLine(_ line: String) { lines.append(line) }

    mutating func element(_ name: String, _ attributes: [(String, String)], text: String? = nil) {
        let attrs = attributes.map { " \($0.0)=\"\(Markup.escape($0.1))\"" }.joined()
        if let text {
            lines.append("<\(name)\(attrs)>\(Markup.escape(text))</\(name)>")
        } else {
            lines.append("<\(name)\(attrs)/>")
        }
    }

    /// An element with a hover tooltip (`<title>` child), e.g. a dot naming its seed.
    mutating func element(_ name: String, _ attributes: [(String, String)], tooltip: String) {
        let attrs = attributes.map { " \($0.0)=\"\(Markup.escape($0.1))\"" }.joined()
        lines.append("<\(name)\(attrs)><title>\(Markup.escape(tooltip))</title></\(name)>")
    }

    mutating func text(_ content: String, x: Double, y: Double, anchor: String = "start", size: Double = 12,
                       className: String, extra: [(String, String)] = []) {
        element("text", [("x", num(x)), ("y", num(y)), ("text-anchor", anchor), ("font-size", num(size)),
                         ("class", className)] + extra, text: content)
    }

    /// A standalone SVG 1.1 document (no XML declaration, so it also embeds in HTML5 as is).
    func document(width: Double, height: Double, title: String) -> String {
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(num(width))\" height=\"\(num(height))\" "
        out += "viewBox=\"0 0 \(num(width)) \(num(height))\" role=\"img\" aria-label=\"\(Markup.escape(title))\" "
        out += "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
        out += "<title>\(Markup.escape(title))</title>\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(num(width))\" height=\"\(num(height))\" fill=\"#ffffff\"/>\n"
        out += lines.joined(separator: "\n")
        out += "\n</svg>\n"
        return out
    }
}

/// Pixel coordinates with two decimals, no trailing zeros ("12.5", "40").
func num(_ x: Double) -> String {
    var s = String(format: "%.2f", x)
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s == "-0" ? "0" : s
}
