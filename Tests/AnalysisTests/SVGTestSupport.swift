import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// Parses an SVG as XML and records every element with its attributes and text.
final class SVGInspector: NSObject, XMLParserDelegate {
    struct Element { let name: String; let attributes: [String: String]; var text: String }
    private(set) var elements: [Element] = []
    private var open: [Int] = []
    private(set) var error: Error?

    static func parse(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> SVGInspector {
        let inspector = SVGInspector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = inspector
        let ok = parser.parse()
        XCTAssertTrue(ok, "SVG is not well-formed XML: \(String(describing: parser.parserError))\n\(svg.prefix(400))", file: file, line: line)
        return inspector
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append(Element(name: name, attributes: attributes, text: ""))
        open.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let i = open.last { elements[i].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        open.removeLast()
    }

    /// Elements whose class attribute holds every class in `classes` (space-separated).
    func withClass(_ classes: String) -> [Element] {
        let wanted = Set(classes.split(separator: " "))
        return elements.filter { wanted.isSubset(of: Set(($0.attributes["class"] ?? "").split(separator: " "))) }
    }

    func texts(_ classes: String) -> [String] { withClass(classes).map(\.text) }

    var root: Element? { elements.first }
}
