/// The problem families of the generated downstream (GSM8K-shaped) task.
///
/// Overlap with the CoT corpus is partial on purpose: `shopping` and
/// `moreThan` exercise the same skills as CoT `wordProblem` (money) and
/// `comparison`, with different wording; `giveAndGet`, `sharing`, `travel`
/// and `ages` have no CoT family of their own (they only share the
/// underlying arithmetic).
public enum DownstreamFamily: String, Codable, Sendable, CaseIterable {
    case shopping
    case moreThan = "more_than"
    case giveAndGet = "give_and_get"
    case sharing
    case travel
    case ages
}
