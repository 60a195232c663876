/// Points (x, y) coloured by group: e.g. the final metric against one parameter,
/// coloured by trial state (completed / stopped_early / failed).
///
/// x is numeric (linear or log scale) or categorical (choice parameters). On a
/// categorical axis, points of one category are spread over ±15% of its band by a
/// fixed offset per point index (no randomness), so equal values stay visible.
/// A point whose x kind does not match the axis, or whose values cannot be drawn on
/// their scales, is skipped and counted in the note.
public struct ScatterPlot: SVGPlot {
    public enum XValue: Sendable, Equatable {
        case number(Double)
        case category(String)
    }

    public enum XAxis: Sendable, Equatable {
        case numeric(AxisScale)
        /// Categories in this order; categories only the points name follow, in order of appearance.
        case categorical([String])
    }

    public struct Point: Sendable, Equatable {
        public var x: XValue
        public var y: Double
        public var group: String
        /// Tooltip, e.g. "trial 12".
        public var label: String?

        public init(x: XValue, y: Double, group: String, label: String? = nil) {
            self.x = x; self.y = y; self.group = group; self.label = label
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var points: [Point]
    public var xAxis: XAxis
    public var yScale: AxisScale
    /// Legend order and colour order; groups only the points name follow, in order of appearance.
    public var groups: [String]
    /// Colour per group (e.g. `Palette.trialStates`); other groups take `Palette.colour(legend index)`.
    public var colours: [String: String]

    public init(title: String, xLabel: String, yLabel: String, points: [Point], xAxis: XAxis = .numeric(.linear),
                yScale: AxisScale = .linear, groups: [String] = [], colours: [String: String] = [:]) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.points = points
        self.xAxis = xAxis; self.yScale = yScale; self.groups = groups; self.colours = colours
    }

    public func svg() -> String {
        var skipped = SkippedValues()
        var mismatched = 0
        var categories: [String] = []
        if case .categorical(let order) = xAxis { categories = order }
        var drawn: [(point: Point, x: Double)] = []  // x: a value, or a category index
        for p in points {
            let yOK = skipped.check(p.y, on: yScale)
            switch (xAxis, p.x) {
            case (.numeric(let scale), .number(let x)):
                if skipped.check(x, on: scale), yOK { drawn.append((p, x)) }
            case (.categorical, .category(let name)):
                guard yOK else { continue }
                if !categories.contains(name) { categories.append(name) }
                drawn.append((p, Double(categories.firstIndex(of: name)!)))
            default:
                mismatched += 1
            }
        }
        if mismatched > 0 {
            skipped.other.append("\(mismatched) point\(mismatched == 1 ? "" : "s") with a \(xAxis.isCategorical ? "numeric" : "category") x skipped")
        }
        guard !drawn.isEmpty else { return PlotFrame.noData(title: title, notes: skipped.notes) }

        var groupOrder = groups
        for (p, _) in drawn where !groupOrder.contains(p.group) { groupOrder.append(p.group) }
        let xLayout: XAxisLayout
        if case .numeric(let scale) = xAxis {
            xLayout = .numeric(NumericAxis(scale: scale, values: drawn.map(\.x), targetTicks: 6))
        } else {
            xLayout = .categorical(categories)
        }
        let frame = PlotFrame(xAxis: xLayout, yAxis: NumericAxis(scale: yScale, values: drawn.map(\.point.y), targetTicks: 5))
        var marks = SVGWriter()
        for (i, (p, x)) in drawn.enumerated() {
            let px: Double
            if xAxis.isCategorical {
                // Golden-ratio sequence: evenly spread, fixed offsets in [−0.15, 0.15) of a band.
                let u = (Double(i) * 0.618_033_988_749_895).truncatingRemainder(dividingBy: 1)
                px = frame.x(category: Int(x)) + (u - 0.5) * 0.3 * frame.bandWidth
            } else {
                px = frame.x(x)
            }
            let colour = colours[p.group] ?? Palette.colour(groupOrder.firstIndex(of: p.group)!)
            marks.element("circle", [("cx", num(px)), ("cy", num(frame.y(p.y))), ("r", "4"), ("fill", colour),
                                     ("fill-opacity", "0.8"), ("stroke", "#ffffff"), ("stroke-width", "0.5"), ("class", "mark dot")],
                          tooltip: (p.label.map { "\($0): " } ?? "") + "\(p.group), \(p.y)")
        }
        let used = Set(drawn.map(\.point.group))
        let legend = groupOrder.enumerated().filter { used.contains($0.element) }
            .map { LegendEntry(label: $0.element, colour: colours[$0.element] ?? Palette.colour($0.offset), swatch: .dot) }
        return frame.render(title: title, xLabel: xLabel, yLabel: yLabel, legend: legend, notes: skipped.notes, marks: marks)
    }
}

extension ScatterPlot.XAxis {
    var isCategorical: Bool { if case .categorical = self { return true } else { return false } }
}
