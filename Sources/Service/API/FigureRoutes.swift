import Analysis
import Foundation
import Hummingbird
import Scheduler
import SweepStore

/// The dashboard's server-rendered figures and tables, drawn by `Analysis` (the same
/// code as `vsweep report`, so a plot has one source of truth): a sweep's
/// optimization history, metric against each parameter, rungs and best curves; a
/// comparison's per-seed pairs, curves per arm and its Δ table.
struct FigureRoutes: Sendable {
    let store: SweepStore
    let layout: ServiceLayout

    struct FigureListBody: Encodable { var figures: [String] }
    struct TableBody: Encodable {
        var headers: [String]
        var rows: [[String]]
        init(_ table: TextTable) { headers = table.headers; rows = table.rows }
    }
    struct ComparisonBody: Encodable {
        var arms: TableBody
        var differences: TableBody
        var notes: [String]
        var figures: [String]
    }

    func register(on router: Router<BasicRequestContext>) {
        let api = router.group("api/v1")
        api.get("sweeps/:name/figures") { _, context in
            try Self.answer { try APIResponse.json(FigureListBody(figures: self.figures(self.sweep(context)).map(\.name))) }
        }
        api.get("sweeps/:name/figures/:figure") { _, context in
            try Self.answer {
                let wanted = context.parameters.get("figure") ?? ""
                guard let figure = try self.figures(self.sweep(context)).first(where: { $0.name == wanted }) else {
                    throw APIError.notFound("no figure \(wanted) for this sweep (GET …/figures lists them)")
                }
                return Response(status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "no-store"],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: figure.plot.svg())))
            }
        }
        api.get("sweeps/:name/comparison") { _, context in
            try Self.answer {
                let sweep = try self.sweep(context)
                guard let comparison = try SweepQueries.comparison(self.store, sweep, record: false) else {
                    throw APIError(status: .conflict, message: "sweep \(sweep.name) is not a comparison")
                }
                let (runs, analysis) = try ComparisonAnalysis.analyse(sweep, comparison, in: self.store,
                                                                      runsDirectory: self.layout.runs)
                let report = try ComparisonReport(name: sweep.name, runs: runs, analysis: analysis, budget: "")
                return APIResponse.json(ComparisonBody(arms: TableBody(try analysis.readableTable()),
                                                       differences: TableBody(try analysis.differencesTable()),
                                                       notes: analysis.notes(), figures: report.figures.map(\.name)))
            }
        }
    }

    private func sweep(_ context: BasicRequestContext) throws -> Sweep {
        let name = context.parameters.get("name") ?? ""
        guard SweepName.isValid(name) else { throw APIError.badRequest("not a sweep name: \(name)") }
        guard let sweep = try store.sweep(named: name) else { throw APIError.notFound("no sweep named \(name) in the store") }
        return sweep
    }

    /// Every figure of the sweep, as `vsweep report` draws them, plus the history.
    private func figures(_ sweep: Sweep) throws -> [(name: String, plot: any SVGPlot)] {
        if let comparison = try SweepQueries.comparison(store, sweep, record: false) {
            let (runs, analysis) = try ComparisonAnalysis.analyse(sweep, comparison, in: store, runsDirectory: layout.runs)
            return try ComparisonReport(name: sweep.name, runs: runs, analysis: analysis, budget: "").figures
        }
        let spec = try? SweepQueries.storedSpec(of: sweep)
        let logNames = Set(spec?.space.compactMap { p -> String? in
            if case .logUniform = p.domain { return p.name } else { return nil }
        } ?? [])
        let choiceNames = Set(spec?.space.compactMap { p -> String? in
            if case .choice = p.domain { return p.name } else { return nil }
        } ?? [])
        let report = try SweepReport(store: store, sweep: sweep, logParameters: logNames, categoricalParameters: choiceNames)
        return [("history", try history(sweep))] + report.figures
    }

    /// Optimization history: each ended trial's final value against its number.
    private func history(_ sweep: Sweep) throws -> ScatterPlot {
        let points = try store.trials(sweepID: sweep.id).compactMap { t -> ScatterPlot.Point? in
            guard let value = t.finalValue, value.isFinite else { return nil }
            return ScatterPlot.Point(x: .number(Double(t.number)), y: value, group: t.state.rawValue, label: "trial \(t.number)")
        }
        return ScatterPlot(title: "\(sweep.metric) by trial", xLabel: "trial", yLabel: sweep.metric, points: points,
                           colours: Palette.trialStates)
    }

    private static func answer(_ body: () throws -> Response) throws -> Response {
        do { return try body() } catch let error as APIError {
            return APIResponse.error(error.status, error.message)
        } catch {
            return APIResponse.error(.unprocessableContent, "cannot draw this yet: \(error)")
        }
    }
}
