import Foundation

extension ComparisonAnalysis {
    /// Whether any arm has enough pairs for the bootstrap to be shown.
    var anyBootstrapShown: Bool { arms.contains { $0.paired?.bootstrapShown == true } }

    /// The table people read (terminal, markdown, the HTML report): combined cells
    /// such as "0.031 ± 0.004" and "[-0.01, +0.002]". The primary p-value is the exact
    /// sign-flip test; the bootstrap interval column appears only when some arm has
    /// 10 pairs or more (`notes()` says why it is missing otherwise).
    public func readableTable() throws -> TextTable {
        let ref = settings.reference
        let showBootstrap = anyBootstrapShown
        var headers = ["arm", "n", "\(settings.metric) mean ± sd", "IQM", "Δ vs \(ref)", "95% CI t", "p sign-flip",
                       "p Holm", "p (t)"]
        if showBootstrap { headers.append("95% CI bootstrap") }
        headers.append("P(better than \(ref))")
        headers += settings.reportMetrics.map { "\($0) mean ± sd" }
        if settings.wallClock { headers.append("updates") }
        headers += ["train s", "load"]
        let rows = arms.map { arm -> [String] in
            var row = [arm.name, String(arm.values.count), Self.meanSD(arm.summary),
                       Self.number(arm.iqm) + (arm.iqmInterval.map { " " + Self.plainInterval($0) } ?? "")]
            if let paired = arm.paired {
                row += [Self.signed(paired.meanDifference), Self.interval(paired.tTest?.confidenceInterval),
                        Self.pValue(paired.signFlip.pValue), Self.pValue(arm.holmP), Self.pValue(paired.tTest?.pValue)]
                if showBootstrap { row.append(paired.bootstrapShown ? Self.interval(paired.bootstrap?.confidenceInterval) : "") }
                row.append(Self.number(arm.improvement, digits: 3)
                           + (arm.improvementInterval.map { " " + Self.plainInterval($0) } ?? ""))
            } else {
                row += [arm.name == ref ? "–" : "no pairs", "", "", "", ""]
                if showBootstrap { row.append("") }
                row.append("")
            }
            row += settings.reportMetrics.map { Self.meanSD(arm.reportSummaries[$0]) }
            if settings.wallClock { row.append(Self.number(arm.updates?.mean, digits: 5)) }
            row += [arm.trainSeconds.map { String(format: "%.1f", $0.mean) } ?? "", arm.load.map { String(format: "%.2f", $0) } ?? ""]
            return row
        }
        return try TextTable(headers: headers, rows: rows)
    }

    /// Δ, interval and p-values of every metric (the comparison metric, then each report
    /// metric) for every arm against the reference: one row per arm and metric.
    public func differencesTable() throws -> TextTable {
        let ref = settings.reference
        var rows: [[String]] = []
        for metric in [settings.metric] + settings.reportMetrics {
            for arm in arms where arm.name != ref {
                let primary = metric == settings.metric
                let paired = primary ? arm.paired : arm.reportPaired[metric]
                let holm = primary ? arm.holmP : arm.reportHolmP[metric]
                guard let paired else { rows.append([metric, arm.name, "0", "no pairs", "", "", "", "", ""]); continue }
                rows.append([metric, arm.name, String(paired.count), Self.signed(paired.meanDifference),
                             Self.interval(paired.tTest?.confidenceInterval), Self.pValue(paired.signFlip.pValue),
                             Self.pValue(holm), Self.pValue(paired.tTest?.pValue),
                             Self.number(paired.minimumDetectableDifference, digits: 3)])
            }
        }
        return try TextTable(headers: ["metric", "arm", "n", "Δ vs \(ref)", "95% CI t", "p sign-flip", "p Holm", "p (t)",
                                       "MDE (80%)"], rows: rows)
    }

    /// The question-level comparison of each Pass@1 metric with per-question outcomes:
    /// Pass@1 of arm and reference over the paired (seed, question) outcomes with Wilson
    /// intervals, the discordant counts and the exact McNemar p (see `QuestionComparison`).
    public func questionTable() throws -> TextTable {
        let ref = settings.reference
        return try TextTable(
            headers: ["metric", "arm", "seeds", "seed×question pairs", "Pass@1 arm [95% Wilson]", "Pass@1 \(ref) [95% Wilson]",
                      "Δ", "only arm right", "only \(ref) right", "p McNemar (exact)"],
            rows: questionLevel.map { q in
                [q.metric, q.arm, String(q.seeds), String(q.pairs),
                 Self.number(q.armPass, digits: 3) + " " + Self.plainInterval(q.armInterval),
                 Self.number(q.referencePass, digits: 3) + " " + Self.plainInterval(q.referenceInterval),
                 Self.signed(q.armPass - q.referencePass), String(q.test.armOnly), String(q.test.referenceOnly),
                 Self.pValue(q.test.pValue)]
            })
    }

    /// What limits the table, printed under it: the test used, n and the smallest p it
    /// allows, the minimum detectable difference, Monte Carlo error, and why the bootstrap
    /// is not shown.
    public func notes(alpha: Double = 0.05) -> [String] {
        var lines: [String] = []
        let compared = arms.filter { $0.paired != nil }
        guard !compared.isEmpty else { return lines }
        lines.append("p sign-flip: exact paired sign-flip permutation test, two-sided (all 2^n sign patterns up to "
                     + "\(SignFlipTest.defaultExactLimit) pairs, seeded Monte Carlo beyond); p Holm: adjusted across the "
                     + "\(compared.count) arm\(compared.count == 1 ? "" : "s") compared with \(settings.reference); "
                     + "95% CI t and p (t): paired t-test")
        let minimumPairs = PairedPower.signFlipMinimumPairs(alpha: alpha)
        for n in Array(Set(compared.map { $0.paired!.count })).sorted() {
            let smallest = SignFlipTest.smallestAttainable(pairs: n)
            var line = "n = \(n) pair\(n == 1 ? "" : "s"): the smallest sign-flip p attainable is \(Self.pValue(smallest))"
            if n < minimumPairs { line += "; no result can reach p < \(Self.number(alpha)) with fewer than \(minimumPairs) pairs" }
            lines.append(line)
        }
        for arm in compared {
            let paired = arm.paired!
            if let mde = paired.minimumDetectableDifference, let sd = paired.standardDeviation {
                lines.append("\(arm.name): minimum detectable Δ at 80% power (paired t, two-sided α = \(Self.number(alpha)), "
                             + "σ = observed paired sd \(Self.number(sd, digits: 3))): \(Self.number(mde, digits: 3))"
                             + (sd == 0 ? " (no spread in the differences: any Δ is 'detected'; more seeds will show spread)" : ""))
            } else {
                lines.append("\(arm.name): minimum detectable Δ undefined with 1 pair (no paired sd)")
            }
            if !paired.signFlip.exact {
                lines.append("\(arm.name): sign-flip p by Monte Carlo (\(paired.signFlip.resamples) patterns), "
                             + "Monte Carlo standard error \(Self.number(paired.signFlip.monteCarloError, digits: 2))")
            }
        }
        if let omitted = compared.first(where: { !$0.paired!.bootstrapShown }), let reason = omitted.paired!.bootstrapOmission {
            let who = compared.allSatisfy { !$0.paired!.bootstrapShown } ? "" : " (\(omitted.name))"
            lines.append(reason + who + "; the IQM and P(better) intervals (stratified bootstrap) are left out likewise")
        }
        return lines
    }

    /// How many seeds an effect Δ needs at the variance observed: per arm, the pairs the
    /// paired t-test needs for 80% power at two-sided α (σ = the observed paired sd), and
    /// at least the pairs with which the sign-flip test can reach α at all.
    public func seedsNeeded(for delta: Double, alpha: Double = 0.05, power: Double = 0.8) throws -> [String] {
        let minimum = PairedPower.signFlipMinimumPairs(alpha: alpha)
        return try arms.compactMap { arm -> String? in
            guard let paired = arm.paired else { return nil }
            let head = "\(arm.name) vs \(settings.reference): Δ = \(Self.signed(delta))"
            guard let sd = paired.standardDeviation, sd > 0 else {
                return head + ": cannot say with \(paired.count) pair\(paired.count == 1 ? "" : "s") "
                    + "(no spread in the differences to estimate σ from)"
            }
            let effect = delta / sd
            guard let pairs = try PairedPower.pairsNeeded(standardizedEffect: effect, alpha: alpha, power: power) else {
                return head + ": more than 100000 seeds (Δ/σ = \(Self.number(effect, digits: 3)))"
            }
            return head + " with σ = \(Self.number(sd, digits: 3)) (the paired sd of \(paired.count) seeds), "
                + "Δ/σ = \(Self.number(effect, digits: 3)): \(max(pairs, minimum)) seeds for \(Int(power * 100))% power "
                + "(paired t needs \(pairs); the sign-flip test needs at least \(minimum) to reach p < \(Self.number(alpha)))"
        }
    }

    /// The table programs read (CSV, JSON): one number per cell, empty when undefined.
    /// The bootstrap columns are empty below `PairedComparison.bootstrapMinimumPairs` pairs.
    public func dataTable() throws -> TextTable {
        var headers = ["arm", "n", "mean", "sd", "median", "diff", "bootstrap_lower", "bootstrap_upper",
                       "t_lower", "t_upper", "t", "df", "p_t", "p_bootstrap"]
        for metric in settings.reportMetrics { headers += ["\(metric)_mean", "\(metric)_sd"] }
        headers += ["updates_mean", "train_seconds_mean", "load_mean"]
        headers += ["p_signflip", "signflip_exact", "signflip_mc_error", "p_holm", "smallest_p", "mde", "iqm", "iqm_lower",
                    "iqm_upper", "p_better", "p_better_lower", "p_better_upper"]
        for metric in settings.reportMetrics {
            headers += ["\(metric)_diff", "\(metric)_t_lower", "\(metric)_t_upper", "\(metric)_p_signflip", "\(metric)_p_holm"]
        }
        let rows = arms.map { arm -> [String] in
            let p = arm.paired
            let boot = p?.bootstrapShown == true ? p?.bootstrap : nil
            var row = [arm.name, String(arm.values.count), Self.raw(arm.summary?.mean), Self.raw(arm.summary?.standardDeviation),
                       Self.raw(arm.summary?.median), Self.raw(p?.meanDifference),
                       Self.raw(boot?.confidenceInterval.lower), Self.raw(boot?.confidenceInterval.upper),
                       Self.raw(p?.tTest?.confidenceInterval.lower), Self.raw(p?.tTest?.confidenceInterval.upper),
                       Self.raw(p?.tTest?.statistic), p?.tTest.map { String($0.degreesOfFreedom) } ?? "",
                       Self.raw(p?.tTest?.pValue), Self.raw(boot?.pValue)]
            for metric in settings.reportMetrics {
                row += [Self.raw(arm.reportSummaries[metric]?.mean), Self.raw(arm.reportSummaries[metric]?.standardDeviation)]
            }
            row += [Self.raw(arm.updates?.mean), Self.raw(arm.trainSeconds?.mean), Self.raw(arm.load)]
            row += [Self.raw(p?.signFlip.pValue), p.map { String($0.signFlip.exact) } ?? "", Self.raw(p?.signFlip.monteCarloError),
                    Self.raw(arm.holmP), Self.raw(p?.signFlip.smallestAttainable), Self.raw(p?.minimumDetectableDifference),
                    Self.raw(arm.iqm), Self.raw(arm.iqmInterval?.lower), Self.raw(arm.iqmInterval?.upper),
                    Self.raw(arm.improvement), Self.raw(arm.improvementInterval?.lower), Self.raw(arm.improvementInterval?.upper)]
            for metric in settings.reportMetrics {
                let m = arm.reportPaired[metric]
                row += [Self.raw(m?.meanDifference), Self.raw(m?.tTest?.confidenceInterval.lower),
                        Self.raw(m?.tTest?.confidenceInterval.upper), Self.raw(m?.signFlip.pValue), Self.raw(arm.reportHolmP[metric])]
            }
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

    static func plainInterval(_ ci: ConfidenceInterval) -> String {
        "[\(number(ci.lower, digits: 3)), \(number(ci.upper, digits: 3))]"
    }

    static func pValue(_ p: Double?) -> String {
        guard let p else { return "" }
        return p < 1e-4 ? String(format: "%.1e", p) : String(format: "%.3g", p)
    }

    static func raw(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "" }
        return "\(x)"
    }
}
