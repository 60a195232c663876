import Vocabulary

// One function per CoT family. Each returns the problem, the solution steps and
// the answer; every step line states a computation whose result is computed
// here, so the solution is correct by construction (tests recompute it).

extension MathCoTGenerator {
    static func arithmetic(_ level: Int, _ rng: inout SplitMix64) -> SolvedProblem {
        let maxN = Difficulty.maxOperand(level)
        let maxF = Difficulty.maxFactor(level)
        func pair(_ op: String) -> (Int, Int, Int) {
            switch op {
            case "+":
                let a = rng.int(in: 1...maxN), b = rng.int(in: 1...maxN)
                return (a, b, a + b)
            case "-":
                let a = rng.int(in: 1...maxN), b = rng.int(in: 1...maxN)
                return (max(a, b), min(a, b), max(a, b) - min(a, b))
            default:
                let a = rng.int(in: 2...max(2, maxN / 2)), b = rng.int(in: 2...maxF)
                return (a, b, a * b)
            }
        }
        let op1 = rng.pick(["+", "-", "*"])
        let (a, b, r1) = pair(op1)
        if level <= 2 {
            return SolvedProblem(problem: "Calculate \(a) \(op1) \(b).", steps: ["\(a) \(op1) \(b) = \(r1)"], answer: r1)
        }
        let op2 = rng.pick(["+", "-", "*"])
        let c: Int, r2: Int
        switch op2 {
        case "+": c = rng.int(in: 1...maxN); r2 = r1 + c
        case "-": c = rng.int(in: 0...r1); r2 = r1 - c
        default: c = rng.int(in: 2...maxF); r2 = r1 * c
        }
        return SolvedProblem(
            problem: "Calculate (\(a) \(op1) \(b)) \(op2) \(c).",
            steps: ["\(a) \(op1) \(b) = \(r1)", "\(r1) \(op2) \(c) = \(r2)"], answer: r2)
    }

    static func wordProblem(_ level: Int, _ rng: inout SplitMix64) -> SolvedProblem {
        let p = rng.pick(Vocabulary.people)
        switch rng.int(in: 0...2) {
        case 0:  // money
            let (_, plural) = rng.pick(Vocabulary.goods)
            let price = rng.int(in: 1...(level == 1 ? 9 : 20 * level))
            let k = rng.int(in: 2...(level == 1 ? 5 : 9))
            let total = k * price
            if level == 1 && rng.chance(0.5) {
                return SolvedProblem(
                    problem: "\(p.name) buys \(k) \(plural) at $\(price) each. How much does \(p.subject) pay?",
                    steps: ["\(k) * \(price) = \(total)"], answer: total)
            }
            let bill = [10, 20, 50, 100, 200, 500, 1000, 5000].first { $0 >= total } ?? (total / 1000 + 1) * 1000
            return SolvedProblem(
                problem: "\(p.name) buys \(k) \(plural) at $\(price) each and pays with $\(bill). How much change does \(p.subject) get?",
                steps: ["\(k) * \(price) = \(total)", "\(bill) - \(total) = \(bill - total)"], answer: bill - total)
        case 1:  // time
            let minutes = rng.pick(level == 1 ? [5, 10, 15, 20, 30] : [10, 15, 20, 30, 45, 60, 90])
            if level == 1 {
                let days = rng.int(in: 2...7)
                return SolvedProblem(
                    problem: "\(p.name) reads for \(minutes) minutes a day. How many minutes is that in \(days) days?",
                    steps: ["\(minutes) * \(days) = \(minutes * days)"], answer: minutes * days)
            }
            let days = rng.pick((2...14).filter { minutes * $0 % 60 == 0 })
            let total = minutes * days
            return SolvedProblem(
                problem: "\(p.name) practises \(minutes) minutes a day for \(days) days. How many hours is that?",
                steps: ["\(minutes) * \(days) = \(total)", "\(total) / 60 = \(total / 60)"], answer: total / 60)
        default:  // units
            switch rng.int(in: 0...2) {
            case 0:
                let m = rng.int(in: 1...(level == 1 ? 9 : 10 * level))
                if level == 1 {
                    return SolvedProblem(problem: "A rope is \(m) m long. How many cm is that?",
                                         steps: ["\(m) * 100 = \(m * 100)"], answer: m * 100)
                }
                let k = rng.pick([2, 4, 5, 10, 20, 25])
                let cm = m * 100
                return SolvedProblem(
                    problem: "A rope of \(m) m is cut into \(k) equal pieces. How many cm is each piece?",
                    steps: ["\(m) * 100 = \(cm)", "\(cm) / \(k) = \(cm / k)"], answer: cm / k)
            case 1:
                let kg = rng.int(in: 1...(level == 1 ? 9 : 10 * level))
                return SolvedProblem(problem: "A sack holds \(kg) kg of rice. How many grams is that?",
                                     steps: ["\(kg) * 1000 = \(kg * 1000)"], answer: kg * 1000)
            default:
                let dozens = rng.int(in: 2...(level == 1 ? 6 : 10 * level))
                if level == 1 {
                    return SolvedProblem(problem: "\(p.name) buys \(dozens) dozen eggs. How many eggs is that?",
                                         steps: ["\(dozens) * 12 = \(dozens * 12)"], answer: dozens * 12)
                }
                let broken = rng.int(in: 1...11)
                let total = dozens * 12
                return SolvedProblem(
                    problem: "\(p.name) buys \(dozens) dozen eggs and \(broken) break. How many eggs are whole?",
                    steps: ["\(dozens) * 12 = \(total)", "\(total) - \(broken) = \(total - broken)"],
                    answer: total - broken)
            }
        }
    }

    static func fractionPercent(_ level: Int, _ rng: inout SplitMix64) -> SolvedProblem {
        let maxN = Difficulty.maxOperand(level)
        if rng.chance(0.5) {
            let b = rng.int(in: 2...(level == 1 ? 4 : 10))
            let a = rng.int(in: 1...(b - 1))
            let q = rng.int(in: 1...max(1, maxN / b))
            let n = b * q
            var steps = ["\(n) / \(b) = \(q)"]
            if a > 1 { steps.append("\(q) * \(a) = \(q * a)") }
            return SolvedProblem(problem: "What is \(a)/\(b) of \(n)?", steps: steps, answer: q * a)
        }
        let pct = rng.pick(level == 1 ? [10, 20, 25, 50] : [5, 10, 15, 20, 25, 30, 40, 50, 75])
        // n must make n·pct/100 whole: n is a multiple of 100/gcd(pct, 100).
        let unit = 100 / gcd(pct, 100)
        let n = unit * rng.int(in: 1...max(1, 5 * maxN / unit))
        let part = n * pct / 100
        if level == 1 || rng.chance(0.5) {
            return SolvedProblem(problem: "What is \(pct)% of \(n)?", steps: ["\(n) * \(pct) / 100 = \(part)"], answer: part)
        }
        return SolvedProblem(
            problem: "A coat costs $\(n). It is \(pct)% off. What is the sale price?",
            steps: ["\(n) * \(pct) / 100 = \(part)", "\(n) - \(part) = \(n - part)"], answer: n - part)
    }

    static func linearEquation(_ level: Int, _ rng: inout SplitMix64) -> SolvedProblem {
        let maxN = Difficulty.maxOperand(level)
        let maxF = Difficulty.maxFactor(level)
        let x = rng.int(in: 1...maxN)
        let b = rng.int(in: 1...maxN)
        switch level {
        case 1:
            if rng.chance(0.5) {
                return SolvedProblem(problem: "Solve for x: x + \(b) = \(x + b).",
                                     steps: ["x = \(x + b) - \(b) = \(x)"], answer: x)
            }
            let x = x + b  // keep x - b positive
            return SolvedProblem(problem: "Solve for x: x - \(b) = \(x - b).",
                                 steps: ["x = \(x - b) + \(b) = \(x)"], answer: x)
        case 2:
            let a = rng.int(in: 2...maxF)
            let c = a * x + b
            return SolvedProblem(problem: "Solve for x: \(a)x + \(b) = \(c).",
                                 steps: ["\(a)x = \(c) - \(b) = \(a * x)", "x = \(a * x) / \(a) = \(x)"], answer: x)
        default:
            let a = rng.int(in: 3...maxF)
            let d = rng.int(in: 1...(a - 2))
            let e = (a - d) * x + b
            func term(_ k: Int) -> String { k == 1 ? "x" : "\(k)x" }
            return SolvedProblem(
                problem: "Solve for x: \(term(a)) + \(b) = \(term(d)) + \(e).",
                steps: ["\(term(a)) - \(term(d)) = \(e) - \(b)", "\(term(a - d)) = \(e - b)", "x = \(e - b) / \(a - d) = \(x)"],
                answer: x)
        }
    }

    static func sequence(_ level: Int, _ rng: inout SplitMix64) -> SolvedProblem {
        if level >= 3 && rng.chance(0.5) {
            let s = rng.int(in: 1...5), r = rng.int(in: 2...3)
            let terms = (0..<4).map { s * pow(r, $0) }
            let next = terms[3] * r
            return SolvedProblem(
                problem: "What comes next: \(terms.map(String.init).joined(separator: ", ")), ?",
                steps: ["Each term is \(r) times the last.", "\(terms[3]) * \(r) = \(next)"], answer: next)
        }
        let d = rng.int(in: 1...(level == 1 ? 5 : 10 * level))
        if level == 1 {
            let decreasing = rng.chance(0.3)
            let s = decreasing ? rng.int(in: (5 * d)...(5 * d + 20)) : rng.int(in: 0...20)
            let sign = decreasing ? -1 : 1
            let terms = (0..<4).map { s + sign * d * $0 }
            let next = terms[3] + sign * d
            return SolvedProblem(
                problem: "What comes next: \(terms.map(String.init).joined(separator: ", ")), ?",
                steps: [decreasing ? "Each term subtracts \(d)." : "Each term adds \(d).",
                        "\(terms[3]) \(decreasing ? "-" : "+") \(d) = \(next)"],
                answer: next)
        }
        let s = rng.int(in: 1...Difficulty.maxOperand(level) / 2)
        let n = rng.int(in: 6...(4 + 4 * level))
        let value = s + (n - 1) * d
        return SolvedProblem(
            problem: "What is term \(n) of \(s), \(s + d), \(s + 2 * d), ...?",
            steps: ["Each term adds \(d).", "\(s) + \(n - 1) * \(d) = \(value)"], answer: value)
    }

    static func comparison(_ level: Int, _ rng: inout SplitMix64) -> SolvedProblem {
        let maxN = Difficulty.maxOperand(level)
        func distinct(_ k: Int) -> [Int] {
            var values: [Int] = []
            while values.count < k {
                let v = rng.int(in: 1...maxN)
                if !values.contains(v) { values.append(v) }
            }
            return values
        }
        if level >= 2 {
            let values = distinct(level == 2 ? 3 : 4)
            let hi = values.max()!, lo = values.min()!
            return SolvedProblem(
                problem: "What is the largest minus the smallest of \(values.map(String.init).joined(separator: ", "))?",
                steps: ["The largest is \(hi).", "The smallest is \(lo).", "\(hi) - \(lo) = \(hi - lo)"], answer: hi - lo)
        }
        let v = distinct(2)
        let hi = max(v[0], v[1]), lo = min(v[0], v[1])
        switch rng.int(in: 0...2) {
        case 0:
            return SolvedProblem(problem: "Which is larger, \(v[0]) or \(v[1])?", steps: ["\(hi) > \(lo)"], answer: hi)
        case 1:
            return SolvedProblem(problem: "Which is smaller, \(v[0]) or \(v[1])?", steps: ["\(lo) < \(hi)"], answer: lo)
        default:
            let p = rng.pick(Vocabulary.people)
            var q = rng.pick(Vocabulary.people)
            while q.name == p.name { q = rng.pick(Vocabulary.people) }
            let (_, plural) = rng.pick(Vocabulary.things)
            let winner = v[0] > v[1] ? p.name : q.name
            return SolvedProblem(
                problem: "\(p.name) has \(v[0]) \(plural) and \(q.name) has \(v[1]). How many more does \(winner) have?",
                steps: ["\(hi) - \(lo) = \(hi - lo)"], answer: hi - lo)
        }
    }
}

func gcd(_ a: Int, _ b: Int) -> Int {
    b == 0 ? abs(a) : gcd(b, a % b)
}

func pow(_ base: Int, _ exponent: Int) -> Int {
    (0..<exponent).reduce(1) { acc, _ in acc * base }
}
