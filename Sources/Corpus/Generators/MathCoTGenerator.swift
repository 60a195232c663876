/// Options of the math chain-of-thought generator.
public struct MathCoTOptions: Codable, Sendable, Equatable {
    /// Number of documents to generate.
    public var count: Int
    /// Each document draws its level uniformly from this range (within 1...5).
    public var difficulty: ClosedRange<Int>
    /// Families to draw from, uniformly.
    public var families: [MathFamily]

    public init(count: Int = 8000, difficulty: ClosedRange<Int> = 1...2,
                families: [MathFamily] = MathFamily.allCases) {
        self.count = count
        self.difficulty = difficulty
        self.families = families
    }

    func validate() throws {
        try DatasetError.check(count >= 0, "cot.count", "\(count)", "must be ≥ 0")
        try DatasetError.check(Difficulty.levels.contains(difficulty.lowerBound)
                                 && Difficulty.levels.contains(difficulty.upperBound),
                               "cot.difficulty", "\(difficulty)", "must lie within 1...5")
        try DatasetError.check(!families.isEmpty, "cot.families", "[]", "must name at least one family")
    }
}

/// A generated problem before it becomes a document or an example: the
/// problem text, solution steps (each line states one computation whose result
/// is correct by construction) and the integer answer.
struct SolvedProblem {
    var problem: String
    var steps: [String]
    var answer: Int
}

/// Deterministic generator of the NuminaMath-CoT-shaped corpus.
///
/// Document i is drawn from the stream "cot" of the seed, in order, so the
/// first k documents do not depend on `count`.
public struct MathCoTGenerator: Sendable {
    public let options: MathCoTOptions
    public let seed: UInt64

    public init(seed: UInt64, options: MathCoTOptions = MathCoTOptions()) throws {
        try options.validate()
        self.seed = seed
        self.options = options
    }

    public func generate() -> [MathDocument] {
        var rng = SeededRandom(seed: seed, stream: "cot")
        var docs: [MathDocument] = []
        docs.reserveCapacity(options.count)
        for i in 0..<options.count {
            let family = rng.pick(options.families)
            let level = rng.int(in: options.difficulty)
            let solved = MathCoTGenerator.problem(family, level: level, rng: &rng)
            docs.append(MathDocument(
                id: "cot-" + String(i), problem: solved.problem,
                solution: solved.steps.joined(separator: "\n"), answer: String(solved.answer),
                family: family.rawValue, difficulty: level))
        }
        return docs
    }

    static func problem(_ family: MathFamily, level: Int, rng: inout SeededRandom) -> SolvedProblem {
        switch family {
        case .arithmetic: return arithmetic(level, &rng)
        case .wordProblem: return wordProblem(level, &rng)
        case .fractionPercent: return fractionPercent(level, &rng)
        case .linearEquation: return linearEquation(level, &rng)
        case .sequence: return sequence(level, &rng)
        case .comparison: return comparison(level, &rng)
        }
    }
}
