import Vocabulary
import ArgumentParser
import Foundation
import Scheduler
import SweepStore
import TrialProtocol
import Yams

/// Options every read-only command shares.
struct StoreOptions: ParsableArguments {
    @Option(help: "Sweep database (SQLite, WAL; readable while a sweep runs).") var db = "storage/vsweep.sqlite"

    func open() throws -> SweepStore {
        guard FileManager.default.fileExists(atPath: db) else {
            throw withMessage("error: no sweep database at \(db) (run a sweep first, or pass --db)", code: ExitStatus.badInput)
        }
        // Opening migrates: a reader must not turn an empty file into a database.
        let size = (try? FileManager.default.attributesOfItem(atPath: db))?[.size] as? Int
        if size == 0 {
            throw withMessage("error: \(db) is an empty file, not a vsweep database (readers never create one; "
                              + "pass --db with a sweep database)", code: ExitStatus.badInput)
        }
        return try withInputErrors { try SweepStore.open(path: db) }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case table, json, yaml, csv }

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "List sweeps: state, trials by state, best value.")
    @OptionGroup var store: StoreOptions

    func run() throws {
        let s = try store.open()
        let sweeps = try s.sweeps()
        if sweeps.isEmpty { print("no sweeps in \(store.db)"); return }
        print(pad("sweep", 24) + pad("state", 10) + pad("metric", 20) + "trials (by state)" + "  best")
        for sweep in sweeps {
            // Counted by the store (an index range), not by loading every trial: 100,000 trials took 2 s.
            let byState = try s.trialCounts(sweepID: sweep.id)
            let counts = byState.map { "\($0.key.rawValue) \($0.value)" }.sorted()
            let best = try s.best(sweepID: sweep.id).first.map { "trial \($0.number): \(formatValue($0.finalValue))" } ?? "-"
            print(pad(sweep.name, 24) + pad(sweep.state.rawValue, 10) + pad("\(sweep.metric) (\(sweep.goal.rawValue))", 20)
                  + "\(byState.values.reduce(0, +)): " + counts.joined(separator: ", ") + "  " + best)
        }
    }
}

struct TrialsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "trials", abstract: "List a sweep's trials.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Sweep name.") var sweep: String
    @Option(help: "Only trials in this state (queued, running, completed, stopped_early, failed, timed_out, cancelled).")
    var state: String?
    @Option(help: "table, json, yaml or csv.") var format: OutputFormat = .table
    @Flag(help: "Same as --format json.") var json = false
    @Flag(help: "Same as --format csv.") var csv = false

    func validate() throws {
        if json && csv { throw ValidationError("--json and --csv: choose one") }
    }

    func run() throws {
        let format = json ? .json : csv ? .csv : self.format
        let s = try store.open()
        var filter: TrialState?
        if let state {
            guard let st = TrialState(rawValue: state) else {
                throw ValidationError("--state: unknown state \"\(state)\"; allowed: \(TrialState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter = st
        }
        let trials = try withInputErrors { try SweepQueries.trials(s, sweep: sweep, state: filter) }
        let names = Array(Set(trials.flatMap { $0.params.keys })).sorted()
        switch format {
        case .json, .yaml:
            let rows: [JSONValue] = trials.map { t in
                .object(["number": .number(Double(t.number)), "state": .string(t.state.rawValue),
                         "attempt": .number(Double(t.attempt)), "updates": .number(Double(t.updatesDone)),
                         "value": t.finalValue.map { $0.isFinite ? JSONValue.number($0) : .string("\($0)") } ?? .null,
                         "params": .object(t.params.mapValues(JSONValue.init)), "error": t.error.map(JSONValue.string) ?? .null])
            }
            try printStructured(.array(rows), format)
        case .csv:
            print((["number", "state", "attempt", "updates", "value"] + names).joined(separator: ","))
            for t in trials {
                let p = t.params
                print(([String(t.number), t.state.rawValue, String(t.attempt), String(t.updatesDone), formatValue(t.finalValue)]
                       + names.map { p[$0].map(show) ?? "" }).map(csvField).joined(separator: ","))
            }
        case .table:
            print(pad("#", 6) + pad("state", 15) + pad("att", 5) + pad("updates", 9) + pad("value", 14) + names.joined(separator: "  "))
            for t in trials {
                let p = t.params
                print(pad(String(t.number), 6) + pad(t.state.rawValue, 15) + pad(String(t.attempt), 5)
                      + pad(String(t.updatesDone), 9) + pad(formatValue(t.finalValue), 14) + names.map { p[$0].map(show) ?? "-" }.joined(separator: "  "))
            }
        }
    }
}

struct BestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "best",
        abstract: "The best configuration(s) of a sweep, as ready-to-run trial configs (vsweep train --config).")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Sweep name.") var sweep: String
    @Option(help: "How many, best first.") var top = 1
    @Option(help: "json or yaml.") var format: OutputFormat = .yaml
    @Flag(help: "Same as --format json.") var json = false
    @Flag(help: "Same as --format yaml.") var yaml = false
    @Option(help: "Runs directory the sweep used (for checkpoint.dir).") var runs = "runs"

    func validate() throws {
        if top < 1 { throw ValidationError("--top must be >= 1") }
        if json && yaml { throw ValidationError("--json and --yaml: choose one") }
        if !json && !yaml && (format == .table || format == .csv) {
            throw ValidationError("--format: best prints json or yaml")
        }
    }

    func run() throws {
        let format = json ? .json : yaml ? .yaml : self.format
        let s = try store.open()
        let ranked = try withInputErrors { try SweepQueries.best(s, sweep: sweep, top: top, runsDirectory: runs) }
        if ranked.isEmpty { throw withMessage("error: sweep \(sweep) has no completed trial yet", code: ExitStatus.noCompletedTrial) }
        let recorded = try withInputErrors { try SweepQueries.sweep(s, named: sweep) }
        if let warning = SweepQueries.testSelectionWarning(recorded) { log(warning) }
        let provenance = Provenance.decode(recorded.provenance)
        for (i, r) in ranked.enumerated() {
            r.warnings.forEach { log("warning: trial \(r.trial.number): \($0)") }
            if format == .yaml {
                print("# rank \(i + 1): trial \(r.trial.number), value \(formatValue(r.trial.finalValue))")
                print("# re-run safely: fresh checkpoint.dir, inputs resolved, final test evaluation on")
                provenance?.lines.forEach { print("# provenance: \($0)") }
            }
            try printStructured(r.config, format)
        }
    }
}

// MARK: printing helpers

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }

func formatValue(_ x: Double?) -> String {
    guard let x else { return "-" }
    return x.isFinite ? String(format: "%.6g", x) : "\(x)"
}

func show(_ v: JSONValue) -> String {
    switch v {
    case .number(let x): return x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(format: "%.6g", x)
    case .string(let s): return s
    case .bool(let b): return String(b)
    default: return "\(v)"
    }
}

/// A parameter as `show` prints its JSON form.
func show(_ v: ParamValue) -> String { show(JSONValue(v)) }

func csvField(_ s: String) -> String {
    s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
}

func plain(_ v: JSONValue) -> Any {
    switch v {
    case .null: return NSNull()
    case .bool(let b): return b
    case .number(let x): return x == x.rounded() && abs(x) < 1e15 ? Int(x) as Any : x
    case .string(let s): return s
    case .array(let a): return a.map(plain)
    case .object(let o): return o.mapValues(plain)
    }
}

func printStructured(_ value: JSONValue, _ format: OutputFormat) throws {
    if format == .yaml {
        print(try Yams.dump(object: plain(value), sortKeys: true), terminator: "")
    } else {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try e.encode(value), as: UTF8.self))
    }
}

func withMessage(_ message: String, code: Int32) -> ExitCode {
    try? FileHandle.standardError.write(contentsOf: Data("\(message)\n".utf8))
    return ExitCode(code)
}

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "One trial: parameters, learning curve, stopping decisions, attempts and why it ended.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Trial id <sweep>-<number>, e.g. quickstart-3.") var trial: String

    func run() throws {
        let s = try store.open()
        let h = try withInputErrors { try SweepQueries.history(s, trialKey: trial) }
        let t = h.trial
        print("trial \(h.sweep.name)-\(t.number): \(t.state.rawValue), \(h.sweep.metric) = \(formatValue(t.finalValue)) (\(h.sweep.goal.rawValue))")
        if let warning = SweepQueries.testSelectionWarning(h.sweep) { print(warning) }
        let p = t.params
        print("params: " + p.keys.sorted().map { "\($0)=\(show(p[$0]!))" }.joined(separator: " ") + "  seed=\(t.seed)")
        let splits = SweepQueries.splitsEvaluated(h.reports)
        print("splits evaluated: " + (splits.isEmpty ? "none reported" : splits.joined(separator: ", ")))
        Provenance.decode(h.sweep.provenance)?.lines.forEach { print("provenance: \($0)") }
        if let why = t.error ?? (t.state.isTerminal ? h.attempts.last?.reason : nil) { print("why it ended: \(why)") }
        print("\nlearning curve (\(h.sweep.metric)):")
        print(pad("attempt", 9) + pad("updates", 9) + pad("value", 14) + pad("train s", 9) + "metrics")
        for r in h.reports {
            let others = r.metrics.keys.sorted().map { "\($0) \(formatValue(r.metrics[$0]))" }.joined(separator: ", ")
            // A report without the metric (an end-only metric, stopping: none) shows "-".
            let value = r.metrics[h.sweep.metric] == nil ? "-" : formatValue(r.objective)
            print(pad(String(r.attempt), 9) + pad(String(r.step), 9) + pad(value, 14)
                  + pad(String(format: "%.1f", r.trainSeconds), 9) + others)
        }
        if !h.decisions.isEmpty {
            print("\nstopping decisions:")
            for d in h.decisions { print("  step \(d.step): \(d.rule) \(d.action.rawValue): \(d.reason)") }
        }
        print("\nattempts:")
        for a in h.attempts {
            let load = a.loadMean.map { String(format: " load %.2f", $0) } ?? ""
            let process = a.externalID.map { "\(a.executor) job \($0)" } ?? "pid \(a.pid.map(String.init) ?? "-")"
            print("  \(a.attempt): \(a.outcome?.rawValue ?? "running") \(process)\(load)"
                  + (a.resumedFromCheckpoint.map { " resumed from \($0)" } ?? "") + (a.reason.map { ": \($0)" } ?? ""))
        }
        print("\ntransitions:")
        for tr in h.transitions {
            print("  \(tr.fromState?.rawValue ?? "-") → \(tr.toState.rawValue) (attempt \(tr.attempt)): \(tr.reason)")
        }
    }
}
