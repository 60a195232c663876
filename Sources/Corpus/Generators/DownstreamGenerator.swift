import Vocabulary

/// Deterministic generator of the GSM8K-shaped downstream task.
///
/// Disjointness by construction: a question belongs to exactly one split,
/// decided by `FNV1a64(question text) mod 1000` (feedback 0..<450, validation
/// 450..<600, test 600..<1000). Each split draws from its own stream
/// ("downstream/feedback", …), keeps only questions of its own split and drops
/// repeats, until it has its count. So the splits never share a question text,
/// no split holds a question twice, and changing one split's count changes no
/// other split. If the question space of the chosen families and levels is too
/// small, generation throws instead of looping.
public struct DownstreamGenerator: Sendable {
    public let options: DownstreamOptions
    public let seed: UInt64

    public init(seed: UInt64, options: DownstreamOptions = DownstreamOptions()) throws {
        try options.validate()
        self.seed = seed
        self.options = options
    }

    public func generate(_ split: DownstreamSplit) throws -> [DownstreamExample] {
        let count = options.count(of: split)
        var rng = SplitMix64(seed: seed, stream: "downstream/" + split.rawValue)
        var seen = Set<String>()
        var examples: [DownstreamExample] = []
        examples.reserveCapacity(count)
        var attempts = 0
        let maxAttempts = 100 * count + 10_000
        while examples.count < count {
            attempts += 1
            guard attempts <= maxAttempts else {
                throw DatasetError.questionSpaceExhausted(split: split.rawValue, produced: examples.count, requested: count)
            }
            let family = rng.pick(options.families)
            let level = rng.int(in: options.difficulty(of: family))
            let solved = DownstreamGenerator.problem(family, level: level, rng: &rng)
            guard DownstreamSplit.of(question: solved.problem) == split,
                  seen.insert(solved.problem).inserted else { continue }
            let answer = solved.steps.joined(separator: "\n") + "\n#### " + String(solved.answer)
            examples.append(DownstreamExample(
                id: split.rawValue + "-" + String(examples.count), question: solved.problem,
                answer: answer, finalAnswer: String(solved.answer), family: family.rawValue))
        }
        return examples
    }

    static func problem(_ family: DownstreamFamily, level: Int, rng: inout SplitMix64) -> SolvedProblem {
        switch family {
        case .shopping: return shopping(level, &rng)
        case .moreThan: return moreThan(level, &rng)
        case .giveAndGet: return giveAndGet(level, &rng)
        case .sharing: return sharing(level, &rng)
        case .travel: return travel(level, &rng)
        case .ages: return ages(level, &rng)
        }
    }
}
