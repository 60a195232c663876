/// A snapshot of a running sweep for a live view: what runs now and the best so far.
/// Counts by state are the store's (a reader queries them); this is what only the
/// dispatcher knows.
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
    }

    public struct Best: Sendable, Equatable {
        public var number: Int64
        public var value: Double
    }

    public var sweep: String
    public var running: [Running]
    public var best: Best?
    /// Seconds since this scheduler run started.
    public var elapsedSeconds: Double
    /// Why no new trial will be created, once that is so.
    public var creationClosed: String?
}
