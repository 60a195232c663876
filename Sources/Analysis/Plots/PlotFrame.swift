/// The x axis of a frame: numbers on a scale, or named categories in equal bands.
enum XAxisLayout {
    case numeric(NumericAxis)
    case categorical([String])
}

/// One legend row: a swatch drawn in the mark's own style, and its label.
struct LegendEntry {
    enum Swatch { case line, band, dot, mean, link }
    let label: String
    let colour: String
    let swatch: Swatch
}

/// The shared layout of every plot: 760×440 px, plot area on the left, legend in a
/// column on the right, title above, notes (skipped values) at the bottom. Marks are
/// written by the plot into an `SVGWriter` using `x`/`y` to place values.
struct PlotFrame {
    static let width = 760.0, height = 440.0
    static let left = 76.0, right = 556.0, top = 52.0, bottom = 362.0
    /// Data stay this far inside the frame, so a point at the domain's end is not cut by it.
    static let inset = 10.0

    let xAxis: XAxisLayout
    let yAxis: NumericAxis

    /// Pixel x of a numeric value (numeric axes only).
    func x(_ value: Double) -> Double {
        guard case .numeric(let axis) = xAxis else { return Self.left }
        return Self.left + Self.inset + axis.fraction(value) * (Self.right - Self.left - 2 * Self.inset)
    }

    /// Pixel x of the centre of category `index` (categorical axes only).
    func x(category index: Int) -> Double { Self.left + (Double(index) + 0.5) * bandWidth }

    var bandWidth: Double {
        guard case .categorical(let names) = xAxis else { return 0 }
        return (Self.right - Self.left) / Double(max(1, names.count))
    }

    func y(_ value: Double) -> Double {
        Self.bottom - Self.inset - yAxis.fraction(value) * (Self.bottom - Self.top - 2 * Self.inset)
    }

    /// The whole document: frame, axes and ticks under the marks, legend and notes over them.
    func render(title: String, xLabel: String, yLabel: String, legend: [LegendEntry], notes: [String],
                marks: SVGWriter) -> String {
        var w = SVGWriter()
        drawAxes(&w, xLabel: xLabel, yLabel: yLabel)
        for line in marks.lines { w.appendLine(line) }
        drawLegend(&w, legend)
        Self.drawTitleAndNotes(&w, title: title, notes: notes)
        return w.document(width: Self.width, height: Self.height, title: title)
    }

    /// A plot with nothing to draw says so, with the reason counts.
    static func noData(title: String, notes: [String]) -> String {
        var w = SVGWriter()
        w.element("rect", [("x", num(left)), ("y", num(top)), ("width", num(right - left)), ("height", num(bottom - top)),
                           ("fill", "#fafafa"), ("stroke", "#cccccc")])
        w.text("no data", x: (left + right) / 2, y: (top + bottom) / 2, anchor: "middle", size: 16, className: "no-data",
               extra: [("fill", "#666666")])
        drawTitleAndNotes(&w, title: title, notes: notes)
        return w.document(width: width, height: height, title: title)
    }

    private static func drawTitleAndNotes(_ w: inout SVGWriter, title: String, notes: [String]) {
        w.text(title, x: width / 2, y: 28, anchor: "middle", size: 16, className: "title", extra: [("font-weight", "bold")])
        if !notes.isEmpty {
            w.text("note: " + notes.joined(separator: "; "), x: 8, y: height - 8, size: 11, className: "note",
                   extra: [("fill", "#555555")])
        }
    }

    private func drawAxes(_ w: inout SVGWriter, xLabel: String, yLabel: String) {
        let (l, r, t, b) = (Self.left, Self.right, Self.top, Self.bottom)
        for (value, label) in zip(yAxis.ticks.values, yAxis.ticks.labels) {
            let py = y(value)
            w.element("line", [("x1", num(l)), ("y1", num(py)), ("x2", num(r)), ("y2", num(py)),
                               ("stroke", "#e5e5e5"), ("stroke-width", "1"), ("class", "grid")])
            w.element("line", [("x1", num(l - 5)), ("y1", num(py)), ("x2", num(l)), ("y2", num(py)), ("stroke", "#333333")])
            w.text(label, x: l - 8, y: py + 4, anchor: "end", size: 11, className: "tick-label y")
        }
        switch xAxis {
        case .numeric(let axis):
            for (value, label) in zip(axis.ticks.values, axis.ticks.labels) {
                let px = x(value)
                w.element("line", [("x1", num(px)), ("y1", num(t)), ("x2", num(px)), ("y2", num(b)),
                                   ("stroke", "#e5e5e5"), ("stroke-width", "1"), ("class", "grid")])
                w.element("line", [("x1", num(px)), ("y1", num(b)), ("x2", num(px)), ("y2", num(b + 5)), ("stroke", "#333333")])
                w.text(label, x: px, y: b + 19, anchor: "middle", size: 11, className: "tick-label x")
            }
        case .categorical(let names):
            // Long names would collide in their bands: slant them.
            let slant = (names.map(\.count).max() ?? 0) * 7 > Int(bandWidth)
            for (i, name) in names.enumerated() {
                let px = x(category: i)
                w.element("line", [("x1", num(px)), ("y1", num(b)), ("x2", num(px)), ("y2", num(b + 5)), ("stroke", "#333333")])
                if slant {
                    w.text(name, x: px, y: b + 16, anchor: "end", size: 11, className: "tick-label x",
                           extra: [("transform", "rotate(-30 \(num(px)) \(num(b + 16)))")])
                } else {
                    w.text(name, x: px, y: b + 19, anchor: "middle", size: 11, className: "tick-label x")
                }
            }
        }
        w.element("rect", [("x", num(l)), ("y", num(t)), ("width", num(r - l)), ("height", num(b - t)),
                           ("fill", "none"), ("stroke", "#333333"), ("stroke-width", "1")])
        w.text(xLabel, x: (l + r) / 2, y: b + 50, anchor: "middle", size: 13, className: "axis-label x")
        let cy = (t + b) / 2
        w.text(yLabel, x: 20, y: cy, anchor: "middle", size: 13, className: "axis-label y",
               extra: [("transform", "rotate(-90 20 \(num(cy)))")])
    }

    private func drawLegend(_ w: inout SVGWriter, _ entries: [LegendEntry]) {
        let x0 = Self.right + 20
        for (i, entry) in entries.enumerated() {
            let cy = Self.top + 10 + Double(i) * 22
            switch entry.swatch {
            case .line, .link:
                w.element("line", [("x1", num(x0)), ("y1", num(cy)), ("x2", num(x0 + 22)), ("y2", num(cy)),
                                   ("stroke", entry.colour), ("stroke-width", entry.swatch == .line ? "2.5" : "1")])
            case .band:
                w.element("rect", [("x", num(x0)), ("y", num(cy - 6)), ("width", "22"), ("height", "12"),
                                   ("fill", entry.colour), ("fill-opacity", "0.2")])
                w.element("line", [("x1", num(x0)), ("y1", num(cy)), ("x2", num(x0 + 22)), ("y2", num(cy)),
                                   ("stroke", entry.colour), ("stroke-width", "2.5")])
            case .dot:
                w.element("circle", [("cx", num(x0 + 11)), ("cy", num(cy)), ("r", "4.5"), ("fill", entry.colour)])
            case .mean:
                w.element("line", [("x1", num(x0 + 2)), ("y1", num(cy)), ("x2", num(x0 + 20)), ("y2", num(cy)),
                                   ("stroke", entry.colour), ("stroke-width", "3.5")])
            }
            let label = entry.label.count > 24 ? String(entry.label.prefix(23)) + "…" : entry.label
            w.text(label, x: x0 + 30, y: cy + 4, size: 12, className: "legend-label")
        }
    }
}
