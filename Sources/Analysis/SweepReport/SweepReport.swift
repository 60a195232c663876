import Vocabulary
import Foundation
import SweepStore

/// The report of a search sweep, from the store: the best trials, the final metric
/// against each parameter, the early-stopping rungs and the learning curves of the
/// best trials. `figures` are also written as separate SVG files by the CLI.
public struct SweepReport: Sendable {
    public let page: HTMLReport
    public let figures: [(name: String, plot: any SVGPlot)]

    /// Learning curves drawn: the best trials only, so the plot stays readable.
    public static let curvesShown = 8

    /// `logParameters`: parameters searched on a log scale (the spec's `log_uniform`),
    /// drawn on a log axis; others get one when their values span two decades.
    /// `categoricalParameters`: choice parameters (the spec's `choice`), drawn on a
    /// categorical axis even when their values are numbers.
    public init(store: SweepStore, sweep: Sweep, logParameters: Set<String> = [],
                categoricalParameters: Set<String> = []) throws {
        let trials = try store.trials(sweepID: sweep.id)
        let metric = sweep.metric
        var figures: [(String, any SVGPlot)] = []

        let names = Array(Set(trials.flatMap { $0.params.keys })).sorted()
        for name in names {
            figures.append(("param-\(Self.fileSafe(name))",
                            Self.scatter(trials, parameter: name, metric: metric, log: logParameters.contains(name),
                                         categorical: categoricalParameters.contains(name))))
        }
        let rungs = try Self.rungPlot(store: store, sweep: sweep, trials: trials)
        if let rungs { figures.append(("rungs", rungs)) }
        figures.append(("curves", try Self.bestCurves(store: store, sweep: sweep, trials: trials)))

        var counts: [TrialState: Int] = [:]
        for t in trials { counts[t.state, default: 0] += 1 }
        let states = TrialState.allCases.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }.joined(separator: ", ")
        var page = HTMLReport(title: "Sweep \(sweep.name)",
                              subtitle: "\(trials.count) trials (\(states)); metric \(metric), \(sweep.goal.rawValue); "
                                  + "state \(sweep.state.rawValue)")
        let best = try store.best(sweepID: sweep.id, top: 10)
        page.add(HTMLReport.Section(heading: "Best trials", blocks: [
            .table(headers: ["trial", metric, "updates"] + names,
                   rows: best.map { t in
                       [String(t.number), t.finalValue.map { String(format: "%.6g", $0) } ?? "", String(t.updatesDone)]
                           + names.map { t.params[$0].map(Self.text) ?? "" }
                   },
                   caption: "completed trials, best first (vsweep best \(sweep.name) prints a ready-to-run config)"),
        ]))
        page.add(HTMLReport.Section(heading: "\(metric) against each parameter",
                                    blocks: figures.filter { $0.0.hasPrefix("param-") }.map { .figure($0.1) }))
        if let rungs {
            page.add(HTMLReport.Section(heading: "Early-stopping rungs", blocks: [
                .figure(rungs, caption: "the value each trial had at each rung it reached, and what the rule decided there"),
            ]))
        }
        page.add(HTMLReport.Section(heading: "Learning curves", blocks: [
            .figure(figures.last!.1, caption: "the \(Self.curvesShown) best trials (completed or stopped), \(metric) at each report"),
        ]))
        self.page = page
        self.figures = figures
    }

    static func text(_ v: ParamValue) -> String {
        switch v {
        case .double(let x): return String(format: "%.6g", x)
        case .int(let x): return String(x)
        case .string(let s): return s
        case .bool(let b): return String(b)
        }
    }

    static func fileSafe(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }

    /// Numeric parameters spanning two decades or more, all positive, get a log axis
    /// (the store keeps values, not the spec's domain); strings and booleans are categories.
    static func scatter(_ trials: [Trial], parameter: String, metric: String, log: Bool, categorical: Bool = false) -> ScatterPlot {
        let withValue = trials.filter { $0.params[parameter] != nil && $0.finalValue != nil }
        let numbers = withValue.compactMap { $0.params[parameter]?.doubleValue }
        let numeric = !categorical && numbers.count == withValue.count && !numbers.isEmpty
        let points = withValue.map { t -> ScatterPlot.Point in
            let v = t.params[parameter]!
            let x: ScatterPlot.XValue = numeric ? .number(v.doubleValue!) : .category(text(v))
            return ScatterPlot.Point(x: x, y: t.finalValue!, group: t.state.rawValue, label: "trial \(t.number)")
        }
        let axis: ScatterPlot.XAxis
        if numeric {
            let positive = numbers.allSatisfy { $0 > 0 }
            let span = (numbers.max() ?? 1) / max(numbers.min() ?? 1, .leastNormalMagnitude)
            axis = .numeric(positive && (log || span >= 100) ? .log : .linear)
        } else {
            // Choices in their natural order: numerically when every value is a number.
            let order = Dictionary(withValue.map { (text($0.params[parameter]!), $0.params[parameter]!.doubleValue) },
                                   uniquingKeysWith: { a, _ in a })
            axis = .categorical(order.keys.sorted { a, b in
                if let x = order[a] ?? nil, let y = order[b] ?? nil, x != y { return x < y }
                return a < b
            })
        }
        return ScatterPlot(title: "\(metric) vs \(parameter)", xLabel: parameter, yLabel: metric, points: points,
                           xAxis: axis, colours: Palette.trialStates)
    }

    /// Every rung result of the sweep with what happened to the trial there: stopped
    /// (its highest rung, for a trial stopped early), promoted (it went on past the
    /// rung), or pending (still running at that rung).
    static func rungPlot(store: SweepStore, sweep: Sweep, trials: [Trial]) throws -> RungPlot? {
        let byID = Dictionary(uniqueKeysWithValues: trials.map { ($0.id, $0) })
        var results: [RungResult] = []
        // ASHA records its rungs under bracket 0 (trials carry no bracket); Hyperband under each trial's.
        for bracket in Set(trials.compactMap(\.bracket)).union([0]).sorted() {
            var rung = 0
            while case let found = try store.rungValues(sweepID: sweep.id, bracket: bracket, rung: rung), !found.isEmpty {
                results += found
                rung += 1
            }
        }
        guard !results.isEmpty else { return nil }
        var highest: [Int64: Double] = [:]
        for r in results { highest[r.trialID] = max(highest[r.trialID] ?? 0, r.resource) }
        let observations = results.compactMap { r -> RungPlot.Observation? in
            guard let trial = byID[r.trialID] else { return nil }
            let top = highest[r.trialID] == r.resource
            let outcome: RungPlot.Outcome = !top || trial.state == .completed ? .promoted
                : trial.state == .stoppedEarly ? .stopped : .pending
            // Plot the raw metric (the store keeps both forms).
            return .init(resource: r.resource, value: r.rawValue, outcome: outcome, label: "trial \(trial.number)")
        }
        return RungPlot(title: "\(sweep.metric) at each rung", xLabel: "updates (rung resource)", yLabel: sweep.metric,
                        observations: observations)
    }

    static func bestCurves(store: SweepStore, sweep: Sweep, trials: [Trial]) throws -> LineBandChart {
        let ranked = trials.filter { ($0.state == .completed || $0.state == .stoppedEarly) && $0.finalValue?.isFinite == true }
            .sorted { $0.normalisedFinalValue! < $1.normalisedFinalValue! }
            .prefix(curvesShown)
        let series = try ranked.map { trial in
            let points = try store.reports(trialID: trial.id).compactMap { r -> LineBandChart.Point? in
                guard let v = r.metrics[sweep.metric], v.isFinite else { return nil }
                return LineBandChart.Point(x: Double(r.step), mean: v)
            }
            return LineBandChart.Series(name: "trial \(trial.number)", points: points)
        }
        return LineBandChart(title: "\(sweep.metric) of the best trials", xLabel: "updates", yLabel: sweep.metric,
                             series: series)
    }
}
