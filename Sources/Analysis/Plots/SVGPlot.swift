/// A plot that renders itself as a standalone SVG 1.1 document.
public protocol SVGPlot: Sendable {
    func svg() -> String
}
