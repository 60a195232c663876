/// One chain-of-thought math document in the NuminaMath-CoT shape.
///
/// JSONL shape: `{"id","problem","solution","answer","family","difficulty"}`;
/// `solution` holds the step lines (separated by "\n"), `answer` the final
/// answer as text ("" when an imported solution has none). `family` is a
/// `MathFamily` raw value for generated documents, "injected" for deliberate
/// contamination, or the source name for imported ones. `difficulty` is 0 for
/// imported documents.
public struct MathDocument: Codable, Sendable, Equatable {
    public var id: String
    public var problem: String
    public var solution: String
    public var answer: String
    public var family: String
    public var difficulty: Int

    public init(id: String, problem: String, solution: String, answer: String, family: String, difficulty: Int) {
        self.id = id
        self.problem = problem
        self.solution = solution
        self.answer = answer
        self.family = family
        self.difficulty = difficulty
    }
}
