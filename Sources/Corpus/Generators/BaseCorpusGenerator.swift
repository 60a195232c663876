import Vocabulary

/// Deterministic generator of a broad, simple base corpus: sentences about
/// people, things, places and animals; counting; number words next to digits;
/// small arithmetic facts in words and symbols; lists; comparisons. Enough for a
/// byte-level model trained from scratch to read and write numbers and simple
/// sentences. Documents come from the stream "base".
public struct BaseCorpusGenerator: Sendable {
    public let options: BaseCorpusOptions
    public let seed: UInt64

    public init(seed: UInt64, options: BaseCorpusOptions = BaseCorpusOptions()) throws {
        try options.validate()
        self.seed = seed
        self.options = options
    }

    public func generate() -> [TextDocument] {
        var rng = SplitMix64(seed: seed, stream: "base")
        return (0..<options.count).map { i in
            let n = rng.int(in: options.sentences)
            let text = (0..<n).map { _ in sentence(&rng) }.joined(separator: " ")
            return TextDocument(id: "base-" + String(i), text: text)
        }
    }

    private func number(_ rng: inout SplitMix64) -> Int {
        // Small numbers are more common, as in ordinary text.
        rng.chance(0.6) ? rng.int(in: 0...12) : rng.int(in: 0...options.maxNumber)
    }

    private func sentence(_ rng: inout SplitMix64) -> String {
        let p = rng.pick(Vocabulary.people)
        let (one, many) = rng.pick(Vocabulary.things)
        switch rng.int(in: 0...13) {
        case 0:
            let n = rng.int(in: 2...12)
            return "\(p.name) has \(n) \(many)."
        case 1:
            return "\(p.name) went to the \(rng.pick(Vocabulary.places)) with \(p.possessive) \(rng.pick(["mom", "dad", "friend", "dog", "sister", "brother"]))."
        case 2:
            return "The \(one) is \(rng.pick(Vocabulary.colors))."
        case 3:
            let (_, animals) = rng.pick(Vocabulary.animals)
            return "At the \(rng.pick(Vocabulary.places)), \(p.name) \(rng.pick(Vocabulary.verbsPast)) \(NumberWords.words(rng.int(in: 2...9))) \(animals)."
        case 4:
            let start = rng.int(in: 0...max(0, options.maxNumber - 6))
            let k = rng.int(in: 3...6)
            return "Count: " + (start..<(start + k)).map(String.init).joined(separator: ", ") + "."
        case 5:
            let start = rng.int(in: 1...8)
            let k = rng.int(in: 3...5)
            return (start..<(start + k)).map { NumberWords.words($0) }.joined(separator: ", ").capitalizedFirst + "."
        case 6:
            let n = number(&rng)
            return "\(n) is written \(NumberWords.words(n))."
        case 7:
            let a = number(&rng), b = number(&rng)
            return rng.chance(0.5) ? "\(a) plus \(b) is \(a + b)." : "\(a) + \(b) = \(a + b)."
        case 8:
            let a = number(&rng), b = number(&rng)
            let hi = max(a, b), lo = min(a, b)
            return rng.chance(0.5) ? "\(hi) minus \(lo) is \(hi - lo)." : "\(hi) - \(lo) = \(hi - lo)."
        case 9:
            let a = rng.int(in: 0...10), b = rng.int(in: 0...10)
            return rng.chance(0.5) ? "\(a) times \(b) is \(a * b)." : "\(a) * \(b) = \(a * b)."
        case 10:
            let items = (0..<3).map { _ in rng.pick(Vocabulary.things).1 }
            return "\(p.name) likes \(items[0]), \(items[1]) and \(items[2])."
        case 11:
            let a = number(&rng)
            var b = number(&rng)
            if a == b { b += 1 }
            return a > b ? "\(a) is more than \(b)." : "\(a) is less than \(b)."
        case 12:
            return "\(p.name) has a \(rng.pick(Vocabulary.colors)) \(one). It is \(p.possessive) best \(one)."
        default:
            let n = rng.int(in: 2...9)
            return "There are \(n) \(many) on the table. \(p.name) takes one, so \(n - 1) are left."
        }
    }
}

extension String {
    var capitalizedFirst: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}
