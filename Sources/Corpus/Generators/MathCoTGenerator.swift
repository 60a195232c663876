import Vocabulary

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
        var rng = SplitMix64(seed: seed, stream: "cot")
        var docs: [MathDocument] = []
        docs.reserveCapacity(options.count)
        for i in 0..<options.count {
            let family = rng.pick(options.families)
            let level = rng.int(in: options.difficulty(of: family))
            let solved = MathCoTGenerator.problem(family, level: level, rng: &rng)
            docs.append(MathDocument(
                id: "cot-" + String(i), problem: solved.problem,
                solution: solved.steps.joined(separator: "\n"), answer: String(solved.answer),
                family: family.rawValue, difficulty: level))
        }
        return docs
    }

    static func problem(_ family: MathFamily, level: Int, rng: inout SplitMix64) -> SolvedProblem {
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
