import Vocabulary

// One function per downstream family, GSM8K-like wording. Level 1 draws one
// or two steps with numbers up to 20; higher levels always take two steps with
// larger numbers. Results are computed here, so answers are right by
// construction (tests recompute them from the reasoning lines).

extension DownstreamGenerator {
    private static func twoSteps(_ level: Int, _ rng: inout SplitMix64) -> Bool {
        level > 1 || rng.chance(0.5)
    }

    private static func two(_ rng: inout SplitMix64) -> (Vocabulary.Person, Vocabulary.Person) {
        let p = rng.pick(Vocabulary.people)
        var q = rng.pick(Vocabulary.people)
        while q.name == p.name { q = rng.pick(Vocabulary.people) }
        return (p, q)
    }

    static func shopping(_ level: Int, _ rng: inout SplitMix64) -> SolvedProblem {
        let p = rng.pick(Vocabulary.people)
        let (_, plural) = rng.pick(Vocabulary.goods)
        let k = rng.int(in: 2...(level == 1 ? 5 : 3 * level))
        let price = rng.int(in: 1...(level == 1 ? 9 : 10 * level))
        let t = k * price
        if !twoSteps(level, &rng) {
            return SolvedProblem(
                problem: "\(p.name) gets \(k) \(plural) that cost $\(price) each. How many dollars does \(p.subject) spend?",
                steps: ["\(k) * \(price) = \(t)"], answer: t)
        }
        let (single, _) = rng.pick(Vocabulary.goods.filter { $0.1 != plural })
        let extra = rng.int(in: 1...(level == 1 ? 9 : 10 * level))
        return SolvedProblem(
            problem: "\(p.name) gets \(k) \(plural) for $\(price) each and a \(single) for $\(extra). How many dollars is that?",
            steps: ["\(k) * \(price) = \(t)", "\(t) + \(extra) = \(t + extra)"], answer: t + extra)
    }

    static func moreThan(_ level: Int, _ rng: inout SplitMix64) -> SolvedProblem {
        let (p, q) = two(&rng)
        let (_, plural) = rng.pick(Vocabulary.things)
        let maxN = Difficulty.maxOperand(level)
        let a = rng.int(in: 2...maxN)
        let fewer = rng.chance(0.3)
        let b = fewer ? rng.int(in: 1...(a - 1)) : rng.int(in: 1...maxN)
        let c = fewer ? a - b : a + b
        let step = fewer ? "\(a) - \(b) = \(c)" : "\(a) + \(b) = \(c)"
        let relation = "\(q.name) has \(b) \(fewer ? "fewer" : "more")"
        if !twoSteps(level, &rng) {
            return SolvedProblem(
                problem: "\(p.name) has \(a) \(plural). \(relation). How many \(plural) does \(q.name) have?",
                steps: [step], answer: c)
        }
        return SolvedProblem(
            problem: "\(p.name) has \(a) \(plural). \(relation). How many \(plural) do they have together?",
            steps: [step, "\(a) + \(c) = \(a + c)"], answer: a + c)
    }

    static func giveAndGet(_ level: Int, _ rng: inout SplitMix64) -> SolvedProblem {
        let (p, q) = two(&rng)
        let (_, plural) = rng.pick(Vocabulary.things)
        let maxN = Difficulty.maxOperand(level)
        let a = rng.int(in: 2...maxN)
        let b = rng.int(in: 1...(a - 1))
        if !twoSteps(level, &rng) {
            return SolvedProblem(
                problem: "\(p.name) had \(a) \(plural) and gave \(b) to \(q.name). How many are left?",
                steps: ["\(a) - \(b) = \(a - b)"], answer: a - b)
        }
        let c = rng.int(in: 1...maxN)
        return SolvedProblem(
            problem: "\(p.name) had \(a) \(plural), gave \(b) to \(q.name) and found \(c) more. How many now?",
            steps: ["\(a) - \(b) = \(a - b)", "\(a - b) + \(c) = \(a - b + c)"], answer: a - b + c)
    }

    static func sharing(_ level: Int, _ rng: inout SplitMix64) -> SolvedProblem {
        let p = rng.pick(Vocabulary.people)
        let (_, plural) = rng.pick(Vocabulary.things)
        let k = rng.int(in: 2...(level == 1 ? 5 : 4 + 2 * level))
        let each = rng.int(in: 1...(level == 1 ? 5 : 5 * level))
        let n = k * each
        if !twoSteps(level, &rng) {
            return SolvedProblem(
                problem: "\(p.name) splits \(n) \(plural) equally among \(k) friends. How many does each get?",
                steps: ["\(n) / \(k) = \(each)"], answer: each)
        }
        // n = bags · perBag: pick a divisor of n as the bag count.
        let divisors = (2...n).filter { n % $0 == 0 && $0 < n }
        guard let bags = divisors.isEmpty ? nil : rng.pick(divisors) else {
            return SolvedProblem(
                problem: "\(p.name) splits \(n) \(plural) equally among \(k) friends. How many does each get?",
                steps: ["\(n) / \(k) = \(each)"], answer: each)
        }
        let perBag = n / bags
        return SolvedProblem(
            problem: "\(p.name) has \(bags) bags of \(perBag) \(plural) to split among \(k) friends. How many each?",
            steps: ["\(bags) * \(perBag) = \(n)", "\(n) / \(k) = \(each)"], answer: each)
    }

    static func travel(_ level: Int, _ rng: inout SplitMix64) -> SolvedProblem {
        let v = rng.pick(Vocabulary.vehicles)
        let speed = rng.int(in: 2...(level == 1 ? 9 : 20 * level))
        let hours = rng.int(in: 2...(level == 1 ? 5 : 3 + level))
        let d = speed * hours
        if !twoSteps(level, &rng) {
            return SolvedProblem(
                problem: "A \(v) goes \(speed) km each hour. How far does it go in \(hours) hours?",
                steps: ["\(speed) * \(hours) = \(d)"], answer: d)
        }
        let more = rng.int(in: 1...(level == 1 ? 9 : 10 * level))
        return SolvedProblem(
            problem: "A \(v) goes \(speed) km an hour for \(hours) hours, then \(more) km more. How many km in all?",
            steps: ["\(speed) * \(hours) = \(d)", "\(d) + \(more) = \(d + more)"], answer: d + more)
    }

    static func ages(_ level: Int, _ rng: inout SplitMix64) -> SolvedProblem {
        let (p, q) = two(&rng)
        let maxAge = level == 1 ? 20 : 20 * level
        let a = rng.int(in: 5...maxAge)
        let older = rng.chance(0.6)
        let k = older ? rng.int(in: 1...(level == 1 ? 9 : 10 * level)) : rng.int(in: 1...(a - 1))
        let b = older ? a + k : a - k
        let step = older ? "\(a) + \(k) = \(b)" : "\(a) - \(k) = \(b)"
        let relation = "\(q.name) is \(k) \(k == 1 ? "year" : "years") \(older ? "older" : "younger")"
        if !twoSteps(level, &rng) {
            return SolvedProblem(problem: "\(p.name) is \(a). \(relation). How old is \(q.name)?",
                                 steps: [step], answer: b)
        }
        let y = rng.int(in: 1...(level == 1 ? 9 : 10 * level))
        return SolvedProblem(
            problem: "\(p.name) is \(a). \(relation). How old will \(q.name) be in \(y) years?",
            steps: [step, "\(b) + \(y) = \(b + y)"], answer: b + y)
    }
}
