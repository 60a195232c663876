import Foundation

/// Successive-halving rungs: for each rung resource (x, log scale) the values recorded
/// there, coloured by what happened to the trial at that rung. Drawn as a `ScatterPlot`
/// with a log x axis and the three outcomes as groups, always in the same colours:
/// promoted blue, stopped vermillion, pending grey.
///
/// No overplotting: the m points of one rung are spread side by side over 0.06 decades
/// from its resource (in value order, a fixed layout; rightwards, leftwards for the largest
/// rung, so the axis keeps its range), and stopped trials are drawn last, so a stopped
/// trial is never hidden under a promoted one at the same value.
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

    /// The x each observation is drawn at: its resource × 10^offset, offsets spread evenly
    /// over [0, 0.06] decades ([−0.06, 0] at the largest resource) among the observations of
    /// its rung, lowest value first.
    func dodgedResources() -> [Double] {
        var out = observations.map(\.resource)
        let largest = out.filter(\.isFinite).max()
        let byRung = Dictionary(grouping: observations.indices, by: { observations[$0].resource })
        for (resource, members) in byRung where members.count > 1 && resource.isFinite && resource > 0 {
            let ordered = members.sorted { (observations[$0].value, $0) < (observations[$1].value, $1) }
            let direction = resource == largest ? -1.0 : 1.0
            for (k, index) in ordered.enumerated() {
                out[index] = resource * pow10(direction * 0.06 * Double(k) / Double(ordered.count - 1))
            }
        }
        return out
    }

    private func pow10(_ x: Double) -> Double { exp(x * 2.302_585_092_994_046) }

    public func svg() -> String {
        let xs = dodgedResources()
        let drawOrder: [Outcome] = [.promoted, .pending, .stopped]
        let order = observations.indices.sorted {
            (drawOrder.firstIndex(of: observations[$0].outcome)!, $0) < (drawOrder.firstIndex(of: observations[$1].outcome)!, $1)
        }
        return ScatterPlot(title: title, xLabel: xLabel, yLabel: yLabel,
                    points: order.map { i in
                        let o = observations[i]
                        return .init(x: .number(xs[i]), y: o.value, group: o.outcome.rawValue,
                                     label: (o.label.map { "\($0) " } ?? "") + "at \(o.resource)")
                    },
                    xAxis: .numeric(.log), yScale: yScale, groups: Outcome.allCases.map(\.rawValue),
                    colours: Dictionary(uniqueKeysWithValues: Outcome.allCases.map { ($0.rawValue, $0.colour) })).svg()
    }
}
