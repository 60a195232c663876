import EarlyStopping
import EventLoop
import Executors
import Foundation
import SweepStore
import TrialProtocol
import Vocabulary

/// A trial's stdout, line by line: protocol events decoded, each report checked
/// (metric present, finite), decided on by the stopping rule and queued with its rung
/// results and decision; `flush` records the loop turn's batch in one transaction and
/// only then hands back the attempts that must be signalled.
final class ReportIngest {
    private let spec: SweepSpec
    private let store: SweepStore
    private let stopping: StoppingCoordinator
    private let ledger: SweepLedger
    private let cpu: ThreadCPUClock
    private let log: LogSink
    private var pendingOutcomes: [ReportOutcome] = []
    /// Lower rungs passed by a report that reached several at once (the store takes
    /// one rung result per report row); recorded right after the batch.
    private var pendingRungResults: [NewRungResult] = []
    private var pendingCheckpoints: [Int64: (path: String, updates: Int64)] = [:]
    private var pendingTerminations: [ActiveTrial] = []
    /// When each queued report's line reached the loop (monotonic nanoseconds), in
    /// `pendingOutcomes` order.
    private var pendingArrivals: [UInt64] = []
    /// Loop thread, after each committed batch: every report's latency in nanoseconds,
    /// from its line reaching the loop to the commit of its transaction.
    var onCommitted: (([UInt64]) -> Void)?

    init(spec: SweepSpec, store: SweepStore, stopping: StoppingCoordinator, ledger: SweepLedger, cpu: ThreadCPUClock,
         log: LogSink) {
        self.spec = spec
        self.store = store
        self.stopping = stopping
        self.ledger = ledger
        self.cpu = cpu
        self.log = log
    }

    /// Non-protocol stdout lines logged per attempt; the rest are counted (an engine
    /// printing progress on stdout would otherwise flood the log, `--quiet` or not).
    static let loggedIgnoredLines = 10
    /// Refused reports (updates going backwards, negative or non-finite counters) an
    /// attempt may send before it is failed: one may be a glitch, repeated ones mean
    /// the engine's step counter cannot be trusted by the stopping rules.
    static let refusedReportLimit = 3

    /// Monotonic wall clock (latency, not CPU time).
    static func monotonicNanoseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    func stdout(_ entry: ActiveTrial, _ bytes: [UInt8]) {
        let arrived = Self.monotonicNanoseconds()
        let began = cpu.nanoseconds
        let event: TrialEvent
        do {
            event = try TrialEvent(jsonData: Data(bytes))
        } catch {
            ignored(entry, bytes, error)
            return
        }
        switch event {
        case .started:
            break
        case .report(let report):
            let queued = pendingOutcomes.count
            ingest(entry, report)
            if pendingOutcomes.count > queued { pendingArrivals.append(arrived) }
            ledger.stats.reportNanoseconds &+= cpu.nanoseconds &- began
        case .checkpoint(let checkpoint):
            pendingCheckpoints[entry.trialID] = (checkpoint.path, Int64(checkpoint.updates))
        case .finished(let finished):
            entry.finished = finished
            entry.finishedObjective = finished.metrics[spec.metric].map(objective)
        case .error(let error):
            entry.engineError = error
        }
    }

    private func ignored(_ entry: ActiveTrial, _ bytes: [UInt8], _ error: Error) {
        ledger.stats.ignoredLines += 1
        entry.ignoredLines += 1
        guard entry.ignoredLines <= Self.loggedIgnoredLines else { return }
        log(.info, "trial \(entry.number): ignored stdout line (\(error)): \(String(decoding: bytes.prefix(120), as: UTF8.self))")
        if entry.ignoredLines == Self.loggedIgnoredLines {
            log(.info, "trial \(entry.number): further non-protocol stdout lines of attempt \(entry.attempt) are counted, not logged")
        }
    }

    /// At the attempt's exit: how many non-protocol lines went unlogged.
    func attemptEnded(_ entry: ActiveTrial) {
        let unlogged = entry.ignoredLines - Self.loggedIgnoredLines
        guard unlogged > 0 else { return }
        log(.info, "trial \(entry.number): attempt \(entry.attempt) wrote \(entry.ignoredLines) non-protocol stdout lines; "
            + "\(unlogged) of them were not logged")
    }

    func oversized(_ entry: ActiveTrial, channel: OutputChannel, length: Int) {
        ledger.stats.oversizedLines += 1
        log(.info, "trial \(entry.number): ignored a \(length)-byte \(channel.rawValue) line (over the line limit)")
    }

    private func ingest(_ entry: ActiveTrial, _ report: TrialEvent.Report) {
        // The trial fails at the report that decided it; what an engine writes before
        // its SIGTERM arrives (one report or several, as the machine's load has it)
        // would give a failed trial a later, finite value.
        if case .fail = entry.intent {
            log(.report, "trial \(entry.number) step \(report.updates): not recorded (the trial is being failed)")
            return
        }
        if let problem = refusal(of: report, after: entry.lastStep) {
            refuse(entry, report, problem)
            return
        }
        let metric = report.metrics[spec.metric]
        if metric == nil && spec.stopping != .none {
            if entry.intent == .none {
                let reason = "the report at step \(report.updates) has no metric '\(spec.metric)' (it has: \(report.metrics.keys.sorted().joined(separator: ", ")))"
                pendingTerminations.append(entry)
                entry.intent = .fail(reason: reason)
            }
            return
        }
        // Without a stopping rule nothing decides on intermediate values: a metric
        // computed only at the end (test_pass1 of a comparison) may be missing; the
        // report is kept with its value recorded as missing (NULL, kind nan).
        let objective = objective(metric ?? .nan)
        if metric != nil { entry.lastObjective = objective }
        entry.lastStep = Int64(report.updates)
        ledger.stats.reports += 1
        var outcome = ReportOutcome(report: NewReport(
            trialID: entry.trialID, attempt: entry.attempt, step: Int64(report.updates), tokens: Int64(report.tokens),
            trainSeconds: report.trainSeconds, evalSeconds: report.evalSeconds ?? 0, metrics: report.metrics,
            objective: objective, outputOffset: entry.outputOffset.map { Int64(clamping: $0) }))
        let nonFinite = report.metrics.nonFiniteKeys
        if !nonFinite.isEmpty {
            if entry.intent == .none {
                let names = nonFinite.map { "\($0) = \(report.metrics[$0]!)" }.joined(separator: ", ")
                entry.intent = .fail(reason: "non-finite metric at step \(report.updates): \(names)")
                pendingTerminations.append(entry)
            }
        } else if entry.intent == .none, metric != nil,
                  let decision = stopping.decide(number: entry.number, step: Int64(report.updates), objective: objective) {
            let rows = stopping.rows(for: decision, trialID: entry.trialID, step: Int64(report.updates),
                                     objective: objective)
            outcome.decision = rows.decision
            // The store takes one rung result per report; a report that jumps over
            // several rungs records the highest, where the decision was taken.
            outcome.rungResult = rows.rungs.last
            pendingRungResults.append(contentsOf: rows.rungs.dropLast())
            if decision.isStop {
                entry.intent = .stop(reason: "\(decision.detail.rule): \(decision.reason)",
                                     rung: decision.detail.rung?.index)
                pendingTerminations.append(entry)
            }
        }
        pendingOutcomes.append(outcome)
        log(.report, "trial \(entry.number) step \(report.updates): \(spec.metric) = \(metric.map { "\($0)" } ?? "-")")
    }

    /// The one place the scheduler normalises the objective: a report's or a `finished`
    /// event's value, as it is ingested. The stopping rule, the store (both forms), the
    /// ledger and the samplers all take the value from here.
    private func objective(_ raw: Double) -> Objective {
        Objective(raw: raw, goal: spec.goal)
    }

    /// Why a report cannot be recorded: the store and the stopping rules need steps
    /// that do not go back within an attempt and counters that are numbers.
    private func refusal(of report: TrialEvent.Report, after lastStep: Int64) -> String? {
        if report.updates < 0 || report.tokens < 0 {
            return "negative updates or tokens (updates \(report.updates), tokens \(report.tokens))"
        }
        if Int64(report.updates) < lastStep {
            return "updates went backwards (\(report.updates) after \(lastStep) in this attempt)"
        }
        let seconds = [("train_seconds", report.trainSeconds), ("eval_seconds", report.evalSeconds ?? 0)]
        if let (name, value) = seconds.first(where: { !$0.1.isFinite || $0.1 < 0 }) {
            return "\(name) is \(value) (must be a finite number >= 0)"
        }
        return nil
    }

    private func refuse(_ entry: ActiveTrial, _ report: TrialEvent.Report, _ problem: String) {
        entry.refusedReports += 1
        let count = entry.refusedReports
        log(.info, "trial \(entry.number): refused the report at step \(report.updates): \(problem) "
            + "(refused report \(count); the trial fails at \(Self.refusedReportLimit))")
        guard count >= Self.refusedReportLimit, entry.intent == .none else { return }
        entry.intent = .fail(reason: "\(count) reports refused; the last at step \(report.updates): \(problem)")
        pendingTerminations.append(entry)
    }

    /// Commits the loop turn's reports (with their rung results and decisions) and
    /// checkpoints; returns the attempts to signal now that their reason is recorded.
    func flush() throws -> [ActiveTrial] {
        guard !pendingOutcomes.isEmpty || !pendingCheckpoints.isEmpty || !pendingTerminations.isEmpty
                || !pendingRungResults.isEmpty else { return [] }
        let began = cpu.nanoseconds
        if !pendingOutcomes.isEmpty {
            try store.recordReportOutcomes(pendingOutcomes)
            let committed = Self.monotonicNanoseconds()
            ledger.stats.reportBatches += 1
            pendingOutcomes.removeAll(keepingCapacity: true)
            let latencies = pendingArrivals.map { committed &- $0 }
            pendingArrivals.removeAll(keepingCapacity: true)
            for latency in latencies {
                ledger.stats.reportLatencyNanoseconds &+= latency
                ledger.stats.reportLatencyMaxNanoseconds = max(ledger.stats.reportLatencyMaxNanoseconds, latency)
            }
            ledger.stats.reportLatencyCount += latencies.count
            onCommitted?(latencies)
        }
        for result in pendingRungResults { try store.recordRungResult(result) }
        pendingRungResults.removeAll()
        for (trialID, checkpoint) in pendingCheckpoints {
            try store.recordCheckpoint(trialID: trialID, path: checkpoint.path, updates: checkpoint.updates)
        }
        pendingCheckpoints.removeAll(keepingCapacity: true)
        ledger.stats.reportNanoseconds &+= cpu.nanoseconds &- began
        let terminations = pendingTerminations
        pendingTerminations.removeAll()
        return terminations
    }
}
