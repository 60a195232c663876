import Foundation
import SweepStore

/// Every report metric of every trial of a sweep, in long format: one row per
/// (trial, report, metric), for analysis elsewhere (pandas, R, a spreadsheet).
///
/// Columns, in this order: `sweep`, `spec_hash` (provenance the store keeps: the hash of
/// the spec that ran), `trial`, `attempt` (of the report), `arm`, `seed`, `state` (the
/// trial's), `final` (true on the trial's last report), `step` (learner updates),
/// `tokens`, `train_seconds`, `eval_seconds`, `recorded_at` (Unix seconds), `metric`,
/// `value`, then one `param.<name>` column per parameter any trial has (sorted).
/// Numbers are written at full precision: Swift's shortest representation that reads
/// back to the same Double (`Double(text) == value`), so a CSV round-trip is exact.
/// Non-finite values are `nan`/`inf`/`-inf` in CSV and null in JSON lines.
public struct MetricsExport: Sendable {
    public enum Cell: Sendable, Equatable {
        case text(String)
        case integer(Int64)
        case number(Double)
        case boolean(Bool)
        case missing
    }

    public let headers: [String]
    public let rows: [[Cell]]

    public static let fixedHeaders = ["sweep", "spec_hash", "trial", "attempt", "arm", "seed", "state", "final", "step",
                                      "tokens", "train_seconds", "eval_seconds", "recorded_at", "metric", "value"]

    public init(store: SweepStore, sweep: Sweep) throws {
        let trials = try store.trials(sweepID: sweep.id)
        let parameters = Array(Set(trials.flatMap { $0.params.keys })).sorted()
        headers = Self.fixedHeaders + parameters.map { "param.\($0)" }
        var rows: [[Cell]] = []
        for trial in trials {
            let reports = try store.reports(trialID: trial.id)
            let params = parameters.map { name -> Cell in
                switch trial.params[name] {
                case .double(let x)?: return .number(x)
                case .int(let x)?: return .integer(Int64(x))
                case .string(let s)?: return .text(s)
                case .bool(let b)?: return .boolean(b)
                case nil: return .missing
                }
            }
            for (index, report) in reports.enumerated() {
                let head: [Cell] = [.text(sweep.name), .text(sweep.specHash), .integer(trial.number), .integer(Int64(report.attempt)),
                                    trial.arm.map(Cell.text) ?? .missing, .integer(trial.seed), .text(trial.state.rawValue),
                                    .boolean(index == reports.count - 1), .integer(report.step), .integer(report.tokens),
                                    .number(report.trainSeconds), .number(report.evalSeconds),
                                    .number(report.recordedAt.timeIntervalSince1970)]
                for metric in report.metrics.keys.sorted() {
                    rows.append(head + [.text(metric), .number(report.metrics[metric]!)] + params)
                }
            }
        }
        self.rows = rows
    }

    /// RFC 4180 CSV (LF line ends, a header line; fields with `,` `"` CR or LF quoted).
    public func csv() -> String {
        var out = headers.map(Self.csvField).joined(separator: ",") + "\n"
        for row in rows {
            out += row.map { cell -> String in
                switch cell {
                case .text(let s): return Self.csvField(s)
                case .integer(let i): return String(i)
                case .number(let x): return Self.number(x)
                case .boolean(let b): return b ? "true" : "false"
                case .missing: return ""
                }
            }.joined(separator: ",") + "\n"
        }
        return out
    }

    /// One JSON object per line, keys in column order; missing cells are left out.
    public func jsonLines() -> String {
        var out = ""
        for row in rows {
            var fields: [String] = []
            for (header, cell) in zip(headers, row) {
                let value: String
                switch cell {
                case .text(let s): value = JSONStringLiteral.quoted(s)
                case .integer(let i): value = String(i)
                case .number(let x): value = x.isFinite ? Self.number(x) : "null"
                case .boolean(let b): value = b ? "true" : "false"
                case .missing: continue
                }
                fields.append(JSONStringLiteral.quoted(header) + ":" + value)
            }
            out += "{" + fields.joined(separator: ",") + "}\n"
        }
        return out
    }

    /// Shortest round-trip text; `nan`, `inf`, `-inf` for the rest (pandas reads all three).
    static func number(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return "\(x)"
    }

    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
