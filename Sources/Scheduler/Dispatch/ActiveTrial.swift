import Vocabulary
import EventLoop
import Executors
import Foundation
import TrialProtocol
import Vocabulary

/// A trial attempt this scheduler started and has not yet seen exit.
final class ActiveTrial {
    /// Why the scheduler is ending the attempt, decided (and recorded where it has a
    /// row: the stop decision, the non-finite report) before the signal is sent.
    enum Intent: Equatable {
        case none
        case stop(reason: String, rung: Int?)
        case fail(reason: String)
        case timeout(reason: String)
        case shutdown(reason: String)
    }

    let trialID: Int64
    let number: Int64
    let attempt: Int
    let slot: Int
    let params: ParamAssignment
    var handle: TrialHandle?
    var intent: Intent = .none
    var finished: TrialEvent.Finished?
    var engineError: TrialEvent.ErrorEvent?
    /// The objective of the latest report (raw and normalised).
    var lastObjective: Objective?
    /// The objective in the `finished` event, when it carries the metric.
    var finishedObjective: Objective?
    var deadlineTimer: TimerID?
    /// True until the first output of an attempt whose deadline counts from it (a
    /// queued batch job); see `SweepRunner.start`.
    var deadlineWaitsForOutput = false
    var killTimer: TimerID?
    /// Checks `deadline.silence_seconds` against `lastOutputAt` (the timers' clock).
    var silenceTimer: TimerID?
    var lastOutputAt: UInt64 = 0
    var stderrLog: AppendOnlyFile?
    var stderrPath: String
    /// Where the stdout line being ingested ends in the attempt's output file (nil
    /// without one): recorded with the report it carries.
    var outputOffset: UInt64?
    /// Why an exit without `finished` is not the engine's failure, known before the
    /// exit (no process of the attempt was ever found after a restart); nil: it is.
    var uncharged: String?
    /// Set when the attempt ended while the runs directory's disk was full.
    var endedOnFullDisk = false
    /// Set once a stderr line could not be written (logged once).
    var stderrDropped = false
    /// Scheduler time spent on this trial's bookkeeping, for the stats.
    var bookkeepingNanoseconds: UInt64 = 0
    /// Updates of the latest report, for the progress view.
    var lastStep: Int64 = 0
    /// Reports refused as out of order or malformed (see `ReportIngest.refusedReportLimit`).
    var refusedReports = 0
    /// Non-protocol stdout lines of this attempt; only the first few are logged.
    var ignoredLines = 0
    /// Monotonic start of the attempt (the timers' clock).
    var startedAt: UInt64 = 0
    /// Machine load readings while the attempt ran (see `MachineLoad`).
    var loadSum = 0.0
    var loadSamples = 0

    init(trialID: Int64, number: Int64, attempt: Int, slot: Int, params: ParamAssignment, stderrPath: String) {
        self.trialID = trialID
        self.number = number
        self.attempt = attempt
        self.slot = slot
        self.params = params
        self.stderrPath = stderrPath
    }
}
