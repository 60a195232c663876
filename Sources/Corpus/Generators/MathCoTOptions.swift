/// Options of the math chain-of-thought generator.
public struct MathCoTOptions: Codable, Sendable, Equatable {
    /// Number of documents to generate.
    public var count: Int
    /// Each document draws its level uniformly from this range (within 1...5).
    public var difficulty: ClosedRange<Int>
    /// Families to draw from, uniformly.
    public var families: [MathFamily]
    /// Per-family level ranges (keys are `MathFamily` raw values) that
    /// replace `difficulty` for those families, e.g. `["linear_equation": 3...5]`.
    public var familyDifficulty: [String: ClosedRange<Int>]

    public init(count: Int = 8000, difficulty: ClosedRange<Int> = 1...2,
                families: [MathFamily] = MathFamily.allCases, familyDifficulty: [String: ClosedRange<Int>] = [:]) {
        self.count = count
        self.difficulty = difficulty
        self.families = families
        self.familyDifficulty = familyDifficulty
    }

    /// The level range of one family.
    public func difficulty(of family: MathFamily) -> ClosedRange<Int> {
        familyDifficulty[family.rawValue] ?? difficulty
    }

    func validate() throws {
        try DatasetError.check(count >= 0, "cot.count", "\(count)", "must be ≥ 0")
        try DatasetError.check(Difficulty.levels.contains(difficulty.lowerBound)
                                 && Difficulty.levels.contains(difficulty.upperBound),
                               "cot.difficulty", "\(difficulty)", "must lie within 1...5")
        try DatasetError.check(!families.isEmpty, "cot.families", "[]", "must name at least one family")
        try Difficulty.validate(familyDifficulty, option: "cot.familyDifficulty",
                                families: MathFamily.allCases.map(\.rawValue))
    }
}
