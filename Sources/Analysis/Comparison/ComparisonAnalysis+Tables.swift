import Foundation

extension ComparisonAnalysis {
    /// The table people read (terminal, markdown, the HTML report): combined cells
    /// such as "0.031 ± 0.004" and "[-0.01, +0.002]".
    public func readableTable() throws -> TextTable {
        let ref = settings.reference
        var headers = ["arm", "n", "\(settings.metric) mean ± sd", "median", "Δ vs \(ref)", "95% CI bootstrap",
                       "95% CI t", "p (t)", "p (bootstrap)"]
        headers += settings.reportMetrics.map { "\($0) mean ± sd" }
        if settings.wallClock { headers.append("updates") }
        headers += ["train s", "load"]
        let rows = arms.map { arm -> [String] in
            var row = [arm.name, String(arm.values.count), Self.meanSD(arm.summary), Self.number(arm.summary?.median)]
            if let paired = arm.paired {
                row += [Self.signed(paired.meanDifference),
                        Self.interval(paired.bootstrap?.confidenceInterval), Self.interval(paired.tTest?.confidenceInterval),
                        Self.pValue(paired.tTest?.pValue), bootstrapP(paired.bootstrap?.pValue)]
            } else {
                row += arm.name == ref ? ["–", "", "", "", ""] : ["no pairs", "", "", "", ""]
            }
            row += settings.reportMetrics.map { Self.meanSD(arm.reportSummaries[$0]) }
            if settings.wallClock { row.append(Self.number(arm.updates?.mean, digits: 5)) }
            row += [arm.trainSeconds.map { String(format: "%.1f", $0.mean) } ?? "", arm.load.map { String(format: "%.2f", $0) } ?? ""]
            return row
        }
        return try TextTable(headers: headers, rows: rows)
    }

    /// The table programs read (CSV, JSON): one number per cell, empty when undefined.
    public func dataTable() throws -> TextTable {
        var headers = ["arm", "n", "mean", "sd", "median", "diff", "bootstrap_lower", "bootstrap_upper",
                       "t_lower", "t_upper", "t", "df", "p_t", "p_bootstrap"]
        for metric in settings.reportMetrics { headers += ["\(metric)_mean", "\(metric)_sd"] }
        headers += ["updates_mean", "train_seconds_mean", "load_mean"]
        let rows = arms.map { arm -> [String] in
            let p = arm.paired
            var row = [arm.name, String(arm.values.count), Self.raw(arm.summary?.mean), Self.raw(arm.summary?.standardDeviation),
                       Self.raw(arm.summary?.median), Self.raw(p?.meanDifference),
                       Self.raw(p?.bootstrap?.confidenceInterval.lower), Self.raw(p?.bootstrap?.confidenceInterval.upper),
                       Self.raw(p?.tTest?.confidenceInterval.lower), Self.raw(p?.tTest?.confidenceInterval.upper),
                       Self.raw(p?.tTest?.statistic), p?.tTest.map { String($0.degreesOfFreedom) } ?? "",
                       Self.raw(p?.tTest?.pValue), Self.raw(p?.bootstrap?.pValue)]
            for metric in settings.reportMetrics {
                row += [Self.raw(arm.reportSummaries[metric]?.mean), Self.raw(arm.reportSummaries[metric]?.standardDeviation)]
            }
            row += [Self.raw(arm.updates?.mean), Self.raw(arm.trainSeconds?.mean), Self.raw(arm.load)]
            return row
        }
        return try TextTable(headers: headers, rows: rows)
    }

    /// One row per run: arm, seed, state, the metric, updates, seconds, load.
    public func runsTable(_ runs: [ArmRun]) throws -> TextTable {
        let order = Dictionary(uniqueKeysWithValues: settings.arms.enumerated().map { ($1, $0) })
        let sorted = runs.sorted { ($0.seed, order[$0.arm] ?? .max) < ($1.seed, order[$1.arm] ?? .max) }
        return try TextTable(
            headers: ["trial", "arm", "seed", "state", settings.metric, "updates", "train s", "load"],
            rows: sorted.map { run in
                [String(run.number), run.arm, String(run.seed), run.state.rawValue, Self.number(run.value),
                 String(run.updates), String(format: "%.1f", run.trainSeconds),
                 run.loadMean.map { String(format: "%.2f", $0) } ?? ""]
            })
    }

    // MARK: cells

    static func number(_ x: Double?, digits: Int = 4) -> String {
        guard let x else { return "" }
        return String(format: "%.\(digits)g", x)
    }

    static func signed(_ x: Double) -> String { (x >= 0 ? "+" : "") + String(format: "%.4g", x) }

    static func meanSD(_ s: Summary?) -> String {
        guard let s else { return "" }
        return String(format: "%.4g", s.mean) + (s.standardDeviation.map { String(format: " ± %.2g", $0) } ?? "")
    }

    static func interval(_ ci: ConfidenceInterval?) -> String {
        guard let ci else { return "" }
        return "[\(signed(ci.lower)), \(signed(ci.upper))]"
    }

    static func pValue(_ p: Double?) -> String {
        guard let p else { return "" }
        return p < 1e-4 ? String(format: "%.1e", p) : String(format: "%.3g", p)
    }

    static func raw(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "" }
        return "\(x)"
    }

    /// A bootstrap p-value has a resolution of 1/B: 0 means "below 1/B".
    func bootstrapP(_ p: Double?) -> String {
        guard let p else { return "" }
        if p == 0 { return "< " + String(format: "%.0e", 1 / Double(settings.resamples)) }
        return String(format: "%.3g", p)
    }
}
