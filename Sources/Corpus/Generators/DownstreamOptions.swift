/// Options of the downstream task generator.
public struct DownstreamOptions: Codable, Sendable, Equatable {
    public var feedbackCount: Int
    public var validationCount: Int
    public var testCount: Int
    /// Each example draws its level uniformly from this range (within 1...5).
    public var difficulty: ClosedRange<Int>
    public var families: [DownstreamFamily]
    /// Per-family level ranges (keys are `DownstreamFamily` raw values) that
    /// replace `difficulty` for those families.
    public var familyDifficulty: [String: ClosedRange<Int>]

    public init(feedbackCount: Int = 1024, validationCount: Int = 256, testCount: Int = 1000,
                difficulty: ClosedRange<Int> = 1...1, families: [DownstreamFamily] = DownstreamFamily.allCases,
                familyDifficulty: [String: ClosedRange<Int>] = [:]) {
        self.feedbackCount = feedbackCount
        self.validationCount = validationCount
        self.testCount = testCount
        self.difficulty = difficulty
        self.families = families
        self.familyDifficulty = familyDifficulty
    }

    /// The level range of one family.
    public func difficulty(of family: DownstreamFamily) -> ClosedRange<Int> {
        familyDifficulty[family.rawValue] ?? difficulty
    }

    public func count(of split: DownstreamSplit) -> Int {
        switch split {
        case .feedback: return feedbackCount
        case .validation: return validationCount
        case .test: return testCount
        }
    }

    func validate() throws {
        for split in DownstreamSplit.allCases {
            try DatasetError.check(count(of: split) >= 0, "downstream.\(split.rawValue)Count",
                                   "\(count(of: split))", "must be ≥ 0")
        }
        try DatasetError.check(Difficulty.levels.contains(difficulty.lowerBound)
                                 && Difficulty.levels.contains(difficulty.upperBound),
                               "downstream.difficulty", "\(difficulty)", "must lie within 1...5")
        try DatasetError.check(!families.isEmpty, "downstream.families", "[]", "must name at least one family")
        try Difficulty.validate(familyDifficulty, option: "downstream.familyDifficulty",
                                families: DownstreamFamily.allCases.map(\.rawValue))
    }
}
