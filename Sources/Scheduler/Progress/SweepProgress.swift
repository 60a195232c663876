/// A snapshot of a running sweep for a live view: what runs now, the best so far and
/// the trials by state, all kept by the dispatcher (a view reads nothing from the store).
public struct SweepProgress: Sendable, Equatable {
    public struct Running: Sendable, Equatable {
        public var number: Int64
        public var attempt: Int
        /// Updates of the latest report (0 before the first).
        public var step: Int64
        /// The objective of the latest report.
        public var value: Double?
        /// Seconds since this attempt started.
        public var seconds: Double

        public init(number: Int64, attempt: Int, step: Int64, value: Double?, seconds: Double) {
            self.number = number
            self.attempt = attempt
            self.step = step
            self.value = value
            self.seconds = seconds
        }
    }

    public struct Best: Sendable, Equatable {
        public var number: Int64
        public var value: Double

        public init(number: Int64, value: Double) {
            self.number = number
            self.value = value
        }
    }

    public var sweep: String
    public var running: [Running]
    public var best: Best?
    /// Seconds since this scheduler run started.
    public var elapsedSeconds: Double
    /// Why no new trial will be created, once that is so.
    public var creationClosed: String?
    /// The sweep's trials by state, as recorded.
    public var tally: TrialTally

    public init(sweep: String, running: [Running], best: Best?, elapsedSeconds: Double, creationClosed: String?,
                tally: TrialTally = TrialTally()) {
        self.sweep = sweep
        self.running = running
        self.best = best
        self.elapsedSeconds = elapsedSeconds
        self.creationClosed = creationClosed
        self.tally = tally
    }
}
