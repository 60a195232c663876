/// The part of a trial's progress that a checkpoint must carry for `--resume`
/// to continue exactly as an uninterrupted run would (model and optimizer
/// state travel as tensors; the data order is a pure function of the step).
struct TrialState: Equatable {
    var updates = 0
    var tokens = 0
    var trainSeconds = 0.0
    var evalSeconds = 0.0
    /// Training loss accumulated since the last report.
    var lossSum = 0.0
    var lossCount = 0
    /// The one-hot next-token loss of the same updates (equal to `lossSum` for the
    /// baseline, whose target is one-hot): the curve every arm can be compared on.
    var onehotSum = 0.0
    var onehotCount = 0

    static let prefix = "trial."

    /// Doubles are stored by bit pattern so a resumed run sees the same values.
    var meta: [String: String] {
        [
            "trial.updates": String(updates),
            "trial.tokens": String(tokens),
            "trial.train_seconds": String(trainSeconds.bitPattern, radix: 16),
            "trial.eval_seconds": String(evalSeconds.bitPattern, radix: 16),
            "trial.loss_sum": String(lossSum.bitPattern, radix: 16),
            "trial.loss_count": String(lossCount),
            "trial.onehot_sum": String(onehotSum.bitPattern, radix: 16),
            "trial.onehot_count": String(onehotCount),
        ]
    }

    init() {}

    init?(meta: [String: String]) {
        func int(_ k: String) -> Int? { meta[Self.prefix + k].flatMap { Int($0) } }
        func dbl(_ k: String) -> Double? { meta[Self.prefix + k].flatMap { UInt64($0, radix: 16) }.map(Double.init(bitPattern:)) }
        guard let u = int("updates"), let t = int("tokens"), let ts = dbl("train_seconds"), let es = dbl("eval_seconds"),
              let ls = dbl("loss_sum"), let lc = int("loss_count") else { return nil }
        updates = u; tokens = t; trainSeconds = ts; evalSeconds = es; lossSum = ls; lossCount = lc
        // Checkpoints written before the one-hot loss existed lack it: its window starts empty.
        onehotSum = dbl("onehot_sum") ?? 0
        onehotCount = int("onehot_count") ?? 0
    }
}
