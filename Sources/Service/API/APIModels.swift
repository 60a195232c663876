import Foundation
import Scheduler
import SweepStore
import TrialProtocol
import Vocabulary

// The JSON bodies of the API (docs/openapi.yaml names each schema). Keys are
// snake_case (the encoder converts); non-finite numbers are sent as null.

struct ErrorBody: Encodable {
    struct Detail: Encodable {
        var message: String
        var source: String?
        var line: Int?
        var field: String?
    }
    var error: Detail
}

struct HealthBody: Encodable {
    var status = "ok"
    var version: String
    var slots: Int
    var slotsInUse: Int
    var queueLength: Int
    var runningSweeps: Int
    /// The daemon's GPUs (`--gpus`) and the sweep whose trial holds each.
    var gpus: [GPUBody]
}

struct GPUBody: Encodable {
    var id: String
    var sweep: String?
}

struct ServiceEntryBody: Encodable {
    var id: Int
    var state: String
    var priority: Int
    var maxSlots: Int?
    var slotsHeld: Int
    var submittedAt: Date
    var error: String?
}

struct SweepBody: Encodable {
    var name: String
    var kind: String
    /// The service's state while it owns the sweep, else the store's.
    var state: String
    var storeState: String?
    var metric: String?
    var goal: String?
    var createdAt: Date?
    var finishedAt: Date?
    var maxTrials: Int?
    var trials: [String: Int]
    var trialsTotal: Int
    var best: BestBody?
    var service: ServiceEntryBody?
}

struct SweepListBody: Encodable { var sweeps: [SweepBody] }

struct BestBody: Encodable {
    var number: Int64
    var value: Double?
    var params: ParamAssignment
}

struct BestListBody: Encodable {
    var metric: String
    var goal: String
    var best: [BestEntryBody]
}

struct BestEntryBody: Encodable {
    var number: Int64
    var value: Double?
    var params: ParamAssignment
    var config: JSONValue
}

struct TrialBody: Encodable {
    var number: Int64
    var state: String
    var params: ParamAssignment
    var seed: Int64
    var arm: String?
    var bracket: Int?
    var attempt: Int
    var maxAttempts: Int
    var createdAt: Date
    var startedAt: Date?
    var endedAt: Date?
    var updatesDone: Int64
    var trainSeconds: Double?
    var finalValue: Double?
    var error: String?
}

extension TrialBody {
    init(_ t: Trial) {
        number = t.number
        state = t.state.rawValue
        params = t.params
        seed = t.seed
        arm = t.arm
        bracket = t.bracket
        attempt = t.attempt
        maxAttempts = t.maxAttempts
        createdAt = t.createdAt
        startedAt = t.startedAt
        endedAt = t.endedAt
        updatesDone = t.updatesDone
        trainSeconds = finite(t.trainSeconds)
        finalValue = t.finalValue.flatMap(finite)
        error = t.error
    }
}

struct TrialPageBody: Encodable {
    var total: Int
    var limit: Int
    var offset: Int
    var trials: [TrialBody]
    /// Pass as `after` for the next page; absent when this page ended the list.
    var nextCursor: String?
}

struct ReportBody: Encodable {
    var id: Int64
    var trial: Int64
    var attempt: Int
    var step: Int64
    var objective: Double?
    var metrics: [String: Double?]
    var recordedAt: Date

    init(_ r: ReportRow, trialNumber: Int64) {
        id = r.id
        trial = trialNumber
        attempt = r.attempt
        step = r.step
        objective = finite(r.objective)
        metrics = r.metrics.mapValues(finite)
        recordedAt = r.recordedAt
    }
}

struct ReportPageBody: Encodable {
    var reports: [ReportBody]
    /// Pass as `after` to get only newer reports.
    var cursor: Int64
}

struct DecisionBody: Encodable {
    var trial: Int64
    var step: Int64
    var rule: String
    var decision: String
    var reason: String
    var detail: [String: Double?]
    var recordedAt: Date

    init(_ d: DecisionRow, trialNumber: Int64) {
        trial = trialNumber
        step = d.step
        rule = d.rule
        decision = d.action.rawValue
        reason = d.reason
        detail = d.detail.mapValues(finite)
        recordedAt = d.recordedAt
    }
}

struct DecisionListBody: Encodable { var decisions: [DecisionBody] }

struct AttemptBody: Encodable {
    var attempt: Int
    var executor: String
    var pid: Int32?
    var startedAt: Date
    var endedAt: Date?
    var outcome: String?
    var reason: String?
    var exitStatus: Int32?
    var termSignal: Int32?
    var resumedFromCheckpoint: String?

    init(_ a: TrialAttempt) {
        attempt = a.attempt
        executor = a.executor
        pid = a.pid
        startedAt = a.startedAt
        endedAt = a.endedAt
        outcome = a.outcome?.rawValue
        reason = a.reason
        exitStatus = a.exitStatus
        termSignal = a.termSignal
        resumedFromCheckpoint = a.resumedFromCheckpoint
    }
}

struct TrialDetailBody: Encodable {
    var sweep: String
    var trial: TrialBody
    var attempts: [AttemptBody]
    var reports: [ReportBody]
    var decisions: [DecisionBody]
    var logTail: [String]
}

struct SubmitRequest: Decodable {
    var spec: String
    var kind: String?
    var priority: Int?
    var maxSlots: Int?
}

struct SubmitResponseBody: Encodable {
    var name: String
    var kind: String
    var state: String
    var service: ServiceEntryBody
}

func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }
