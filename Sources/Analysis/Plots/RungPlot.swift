/// Successive-halving rungs: for each rung resource (x, log scale) the values recorded
/// there, coloured by what happened to the trial at that rung. Drawn as a `ScatterPlot`
/// with a log x axis and the three outcomes as groups, always in the same colours:
/// promoted blue, stopped vermillion, pending grey.
public struct RungPlot: SVGPlot {
    public enum Outcome: String, Sendable, CaseIterable {
        case promoted = "promoted / continued"
        case stopped = "stopped here"
        /// Not decided yet (the rung is still filling).
        case pending = "pending"

        var colour: String {
            switch self {
            case .promoted: return "#0072B2"
            case .stopped: return "#D55E00"
            case .pending: return "#999999"
            }
        }
    }

    public struct Observation: Sendable, Equatable {
        public var resource: Double
        public var value: Double
        public var outcome: Outcome
        public var label: String?

        public init(resource: Double, value: Double, outcome: Outcome, label: String? = nil) {
            self.resource = resource; self.value = value; self.outcome = outcome; self.label = label
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var observations: [Observation]
    public var yScale: AxisScale

    public init(title: String, xLabel: String = "resource (updates)", yLabel: String, observations: [Observation],
                yScale: AxisScale = .linear) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
        self.observations = observations; self.yScale = yScale
    }

    public func svg() -> String {
        ScatterPlot(title: title, xLabel: xLabel, yLabel: yLabel,
                    points: observations.map { .init(x: .number($0.resource), y: $0.value, group: $0.outcome.rawValue, label: $0.label) },
                    xAxis: .numeric(.log), yScale: yScale, groups: Outcome.allCases.map(\.rawValue),
                    colours: Dictionary(uniqueKeysWithValues: Outcome.allCases.map { ($0.rawValue, $0.colour) })).svg()
    }
}
