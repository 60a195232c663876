import Foundation

/// Why a trial finished, as the engine reports it.
public enum FinishReason: String, Sendable, Codable, CaseIterable {
    /// The per-trial budget (updates or seconds) was used up.
    case budget
    /// The engine received SIGTERM, finished its step, checkpointed and stopped.
    case terminated
    /// The engine decided on its own that more training would not help.
    case converged
}

/// Metric name → value. Non-finite values travel as the strings "NaN",
/// "Infinity", "-Infinity" (JSON has no such numbers); a scheduler must treat
/// them as a failed trial, so they are decoded, never dropped.
public typealias Metrics = [String: Double]

/// One line of the trial protocol (see docs/protocol.md). Every event is one
/// JSON object on one line of the engine's stdout, tagged by `"event"`.
public enum TrialEvent: Sendable, Equatable {
    case started(Started)
    case report(Report)
    case checkpoint(Checkpoint)
    case finished(Finished)
    case error(ErrorEvent)

    public struct Started: Sendable, Equatable, Codable {
        public var trial: String?
        public var engine: String
        public var config: JSONValue
        public init(trial: String?, engine: String, config: JSONValue) {
            self.trial = trial; self.engine = engine; self.config = config
        }
    }

    public struct Report: Sendable, Equatable, Codable {
        /// Learner updates done so far (the budget unit for `updates` budgets).
        public var updates: Int
        /// Training tokens consumed so far.
        public var tokens: Int
        /// Seconds spent training (evaluation excluded).
        public var trainSeconds: Double
        /// Seconds spent evaluating, reported separately from the budget.
        public var evalSeconds: Double?
        public var metrics: Metrics
        /// Optional breakdown of training seconds (e.g. feedback, tangent, designer).
        public var timings: [String: Double]?
        public init(updates: Int, tokens: Int, trainSeconds: Double, evalSeconds: Double? = nil,
                    metrics: Metrics, timings: [String: Double]? = nil) {
            self.updates = updates; self.tokens = tokens; self.trainSeconds = trainSeconds
            self.evalSeconds = evalSeconds; self.metrics = metrics; self.timings = timings
        }
        enum CodingKeys: String, CodingKey {
            case updates, tokens, trainSeconds = "train_seconds", evalSeconds = "eval_seconds", metrics, timings
        }
    }

    public struct Checkpoint: Sendable, Equatable, Codable {
        public var path: String
        public var updates: Int
        public init(path: String, updates: Int) { self.path = path; self.updates = updates }
    }

    public struct Finished: Sendable, Equatable, Codable {
        public var reason: FinishReason
        public var updates: Int?
        public var metrics: Metrics
        public init(reason: FinishReason, updates: Int? = nil, metrics: Metrics) {
            self.reason = reason; self.updates = updates; self.metrics = metrics
        }
    }

    public struct ErrorEvent: Sendable, Equatable, Codable {
        public var message: String
        /// The config field at fault (dotted path), when there is one.
        public var field: String?
        public init(message: String, field: String? = nil) { self.message = message; self.field = field }
    }

    /// The value of the `"event"` tag.
    public var kind: String {
        switch self {
        case .started: "started"
        case .report: "report"
        case .checkpoint: "checkpoint"
        case .finished: "finished"
        case .error: "error"
        }
    }
}
