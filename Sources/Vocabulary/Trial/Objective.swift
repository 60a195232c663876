/// A value of the sweep's objective metric in both forms: `raw`, as the engine reported
/// it (what every message, table and plot prints), and `normalised`, lower is better
/// (what every comparison — stopping rules, samplers, rankings — uses).
///
/// `init(raw:goal:)` is the one place a raw value is normalised. The scheduler builds
/// an `Objective` once, when a report or `finished` event is ingested, and the store
/// keeps both forms (`report.raw_value` / `normalised_value`, `trial.raw_final_value` /
/// `normalised_final_value`, `rung_result.raw_value` / `normalised_value`): nothing
/// downstream applies the goal to a value again.
public struct Objective: Sendable, Equatable {
    /// As reported; may be NaN or ±infinity.
    public var raw: Double
    /// `raw` for minimize, `-raw` for maximize; non-finite exactly when `raw` is.
    public var normalised: Double

    /// Normalises `raw` under `goal`.
    public init(raw: Double, goal: Goal) {
        self.raw = raw
        normalised = goal.normalised(raw)
    }

    /// Both forms as already computed (read back from the store).
    public init(raw: Double, normalised: Double) {
        self.raw = raw
        self.normalised = normalised
    }
}
