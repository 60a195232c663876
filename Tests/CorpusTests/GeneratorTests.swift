import XCTest
@testable import Corpus

/// Generated answers are checked by recomputation from the problem text (per
/// family) and every step line's arithmetic is re-evaluated.
final class GeneratorTests: XCTestCase {
    // MARK: Determinism and stream independence

    func testGeneratorsAreDeterministicPerSeed() throws {
        let cot = MathCoTOptions(count: 60, difficulty: 1...5)
        XCTAssertEqual(try MathCoTGenerator(seed: 5, options: cot).generate(),
                       try MathCoTGenerator(seed: 5, options: cot).generate())
        XCTAssertNotEqual(try MathCoTGenerator(seed: 5, options: cot).generate(),
                          try MathCoTGenerator(seed: 6, options: cot).generate())
        let base = BaseCorpusOptions(count: 40)
        XCTAssertEqual(try BaseCorpusGenerator(seed: 5, options: base).generate(),
                       try BaseCorpusGenerator(seed: 5, options: base).generate())
        let down = DownstreamOptions(feedbackCount: 30, validationCount: 10, testCount: 20)
        XCTAssertEqual(try DownstreamGenerator(seed: 5, options: down).generate(.test),
                       try DownstreamGenerator(seed: 5, options: down).generate(.test))
    }

    func testCountsDoNotChangeOtherItemsOrSplits() throws {
        let short = try MathCoTGenerator(seed: 9, options: MathCoTOptions(count: 20)).generate()
        let long = try MathCoTGenerator(seed: 9, options: MathCoTOptions(count: 50)).generate()
        XCTAssertEqual(short, Array(long.prefix(20)))

        let a = try DownstreamGenerator(seed: 9, options: DownstreamOptions(feedbackCount: 40, validationCount: 10, testCount: 10))
        let b = try DownstreamGenerator(seed: 9, options: DownstreamOptions(feedbackCount: 40, validationCount: 30, testCount: 90))
        XCTAssertEqual(try a.generate(.feedback), try b.generate(.feedback))
        XCTAssertEqual(try a.generate(.validation), Array(try b.generate(.validation).prefix(10)))
    }

    // MARK: Splits

    func testSplitsAreDisjointByQuestionAndDeduplicated() throws {
        let gen = try DownstreamGenerator(seed: 2, options: DownstreamOptions(feedbackCount: 300, validationCount: 100, testCount: 300))
        var owner: [String: DownstreamSplit] = [:]
        for split in DownstreamSplit.allCases {
            let examples = try gen.generate(split)
            XCTAssertEqual(examples.count, gen.options.count(of: split))
            XCTAssertEqual(Set(examples.map(\.id)).count, examples.count)
            for e in examples {
                XCTAssertNil(owner[e.question], "question in two places: \(e.question)")
                owner[e.question] = split
                XCTAssertEqual(DownstreamSplit.of(question: e.question), split)
            }
        }
        XCTAssertEqual(owner.count, 700)
    }

    func testExhaustedQuestionSpaceThrows() throws {
        // Level-1 travel has 6·8·4 = 192 one-step and 192·9 two-step
        // questions, about 40% of them in the test split: far fewer than 1000.
        let options = DownstreamOptions(feedbackCount: 0, validationCount: 0, testCount: 1000, families: [.travel])
        XCTAssertThrowsError(try DownstreamGenerator(seed: 1, options: options).generate(.test)) { error in
            guard case DatasetError.questionSpaceExhausted(split: "test", _, requested: 1000) = error else {
                return XCTFail("unexpected error \(error)")
            }
        }
    }

    func testInvalidOptionsNameTheOption() {
        XCTAssertThrowsError(try MathCoTGenerator(seed: 1, options: MathCoTOptions(difficulty: 0...2))) { error in
            XCTAssertEqual(error as? DatasetError, .invalidOption(name: "cot.difficulty", value: "0...2", rule: "must lie within 1...5"))
        }
        XCTAssertThrowsError(try MathCoTGenerator(seed: 1, options: MathCoTOptions(families: [])))
        XCTAssertThrowsError(try DownstreamGenerator(seed: 1, options: DownstreamOptions(testCount: -1)))
        XCTAssertThrowsError(try BaseCorpusGenerator(seed: 1, options: BaseCorpusOptions(count: -2)))
    }

    // MARK: Answers verified by recomputation

    func testCoTAnswersRecomputeFromProblemsAtEveryLevel() throws {
        for level in Difficulty.levels {
            for family in MathFamily.allCases {
                let docs = try MathCoTGenerator(seed: UInt64(level), options: MathCoTOptions(
                    count: 40, difficulty: level...level, families: [family])).generate()
                for doc in docs {
                    XCTAssertEqual(doc.family, family.rawValue)
                    XCTAssertEqual(doc.difficulty, level)
                    XCTAssertEqual(Int(doc.answer), Self.recompute(cot: family, doc.problem),
                                   "\(family) L\(level): \(doc.problem) → \(doc.answer)")
                    assertStepsAreTrue(doc.solution, doc.problem)
                }
            }
        }
    }

    func testDownstreamAnswersRecomputeFromQuestionsAtEveryLevel() throws {
        for level in Difficulty.levels {
            for family in DownstreamFamily.allCases {
                let examples = try DownstreamGenerator(seed: UInt64(level), options: DownstreamOptions(
                    feedbackCount: 30, validationCount: 0, testCount: 0, difficulty: level...level,
                    families: [family])).generate(.feedback)
                for e in examples {
                    XCTAssertTrue(e.answer.hasSuffix("\n#### " + e.finalAnswer), e.answer)
                    XCTAssertEqual(AnswerExtraction.finalAnswer(in: e.answer), e.finalAnswer)
                    XCTAssertEqual(Int(e.finalAnswer), Self.recompute(downstream: family, e.question),
                                   "\(family) L\(level): \(e.question) → \(e.finalAnswer)")
                    let reasoning = e.answer.components(separatedBy: "\n").dropLast().joined(separator: "\n")
                    assertStepsAreTrue(reasoning, e.question)
                    // The last step's result is the final answer.
                    XCTAssertEqual(reasoning.components(separatedBy: " = ").last, e.finalAnswer)
                }
            }
        }
    }

    func testDefaultDownstreamExamplesAreShort() throws {
        let examples = try DownstreamGenerator(seed: 1, options: DownstreamOptions(
            feedbackCount: 400, validationCount: 0, testCount: 0)).generate(.feedback)
        let stats = PromptLengthStatistics(examples)
        XCTAssertLessThanOrEqual(stats.maxBytes, 120)
        XCTAssertEqual(stats.over128, 0)
    }

    func testBaseCorpusHasNumbersWordsAndSentences() throws {
        let docs = try BaseCorpusGenerator(seed: 1, options: BaseCorpusOptions(count: 300)).generate()
        let text = docs.map(\.text).joined(separator: "\n")
        XCTAssertTrue(text.contains(" is written "))
        XCTAssertTrue(text.contains(" plus "))
        XCTAssertTrue(text.contains(" = "))
        XCTAssertTrue(text.contains("Count: "))
        XCTAssertGreaterThan(Set(docs.map(\.text)).count, 290)
        for doc in docs { XCTAssertTrue(doc.text.hasSuffix(".")) }
        // Arithmetic facts in the base corpus are true.
        for sentence in text.components(separatedBy: ". ") where sentence.contains(" = ") {
            let parts = sentence.replacingOccurrences(of: ".", with: "").components(separatedBy: " = ")
            if let lhs = IntExpression.evaluate(parts[0].components(separatedBy: "\n").last!), let rhs = Int(parts[1]) {
                XCTAssertEqual(lhs, rhs, sentence)
            }
        }
    }

    func testNumberWords() {
        XCTAssertEqual(NumberWords.words(0), "zero")
        XCTAssertEqual(NumberWords.words(13), "thirteen")
        XCTAssertEqual(NumberWords.words(40), "forty")
        XCTAssertEqual(NumberWords.words(342), "three hundred forty-two")
        XCTAssertEqual(NumberWords.words(7005), "seven thousand five")
        XCTAssertEqual(NumberWords.words(12_000), "twelve thousand")
    }

    // MARK: Helpers

    /// Every "lhs = … = r" step whose parts are plain arithmetic must hold;
    /// linear-equation steps are checked by the problem's own recomputation.
    private func assertStepsAreTrue(_ solution: String, _ problem: String, file: StaticString = #filePath, line: UInt = #line) {
        for step in solution.components(separatedBy: "\n") {
            let parts = step.components(separatedBy: " = ")
            if parts.count >= 2, let result = Int(parts.last!) {
                let expression = parts[parts.count - 2]
                guard !expression.contains("x") else { continue }
                XCTAssertEqual(IntExpression.evaluate(expression), result, "step '\(step)' of '\(problem)'", file: file, line: line)
            }
            for (symbol, holds) in [(" > ", { (a: Int, b: Int) in a > b }), (" < ", { (a: Int, b: Int) in a < b })] {
                let sides = step.components(separatedBy: symbol)
                if sides.count == 2, let a = Int(sides[0]), let b = Int(sides[1]) {
                    XCTAssertTrue(holds(a, b), step, file: file, line: line)
                }
            }
        }
    }

    static func recompute(cot family: MathFamily, _ p: String) -> Int? {
        let n = integers(in: p)
        switch family {
        case .arithmetic:
            return IntExpression.evaluate(String(p.dropFirst("Calculate ".count).dropLast()))
        case .wordProblem:
            if p.contains("change") { return n[2] - n[0] * n[1] }
            if p.contains("minutes is that") { return n[0] * n[1] }
            if p.contains("hours") { return n[0] * n[1] / 60 }
            if p.contains("How many cm is that") { return n[0] * 100 }
            if p.contains("cm is each piece") { return n[0] * 100 / n[1] }
            if p.contains("grams") { return n[0] * 1000 }
            if p.contains("break") { return n[0] * 12 - n[1] }
            if p.contains("dozen") { return n[0] * 12 }
            if p.contains("How much does") { return n[0] * n[1] }
            return nil
        case .fractionPercent:
            if p.contains("% off") { return n[0] - n[0] * n[1] / 100 }
            if p.contains("%") { return n[1] * n[0] / 100 }
            return n[2] * n[0] / n[1]
        case .linearEquation:
            let equation = p.dropFirst("Solve for x: ".count).dropLast()
            let sides = equation.components(separatedBy: " = ")
            // Both sides are linear: L(x) = L(0) + (L(1) − L(0))·x, same for R.
            guard let l0 = IntExpression.evaluate(sides[0], x: 0), let l1 = IntExpression.evaluate(sides[0], x: 1),
                  let r0 = IntExpression.evaluate(sides[1], x: 0), let r1 = IntExpression.evaluate(sides[1], x: 1)
            else { return nil }
            let slope = (l1 - l0) - (r1 - r0)
            guard slope != 0, (r0 - l0) % slope == 0 else { return nil }
            return (r0 - l0) / slope
        case .sequence:
            if p.hasPrefix("What is term") { return n[1] + (n[0] - 1) * (n[2] - n[1]) }
            let t = n
            if t[1] - t[0] == t[2] - t[1] { return t[3] + (t[3] - t[2]) }
            return t[3] * (t[3] / t[2])
        case .comparison:
            if p.contains("larger") { return n.max() }
            if p.contains("smaller") { return n.min() }
            if p.contains("How many more") { return abs(n[0] - n[1]) }
            return n.max()! - n.min()!
        }
    }

    static func recompute(downstream family: DownstreamFamily, _ q: String) -> Int? {
        let n = integers(in: q)
        switch family {
        case .shopping:
            return n.count == 2 ? n[0] * n[1] : n[0] * n[1] + n[2]
        case .moreThan:
            let c = q.contains("fewer") ? n[0] - n[1] : n[0] + n[1]
            return q.contains("together") ? n[0] + c : c
        case .giveAndGet:
            return n.count == 2 ? n[0] - n[1] : n[0] - n[1] + n[2]
        case .sharing:
            return n.count == 2 ? n[0] / n[1] : n[0] * n[1] / n[2]
        case .travel:
            return n.count == 2 ? n[0] * n[1] : n[0] * n[1] + n[2]
        case .ages:
            let b = q.contains("older") ? n[0] + n[1] : n[0] - n[1]
            return n.count == 2 ? b : b + n[2]
        }
    }
}

final class FamilyDifficultyTests: XCTestCase {
    func testPerFamilyLevelsOverrideTheGlobalRange() throws {
        let options = MathCoTOptions(count: 300, difficulty: 1...1, familyDifficulty: ["linear_equation": 4...5])
        for doc in try MathCoTGenerator(seed: 1, options: options).generate() {
            if doc.family == "linear_equation" {
                XCTAssertTrue((4...5).contains(doc.difficulty))
            } else {
                XCTAssertEqual(doc.difficulty, 1)
            }
        }
        let down = DownstreamOptions(feedbackCount: 100, validationCount: 0, testCount: 0,
                                     families: [.ages], familyDifficulty: ["ages": 3...3])
        for e in try DownstreamGenerator(seed: 1, options: down).generate(.feedback) {
            XCTAssertEqual(e.answer.split(separator: "\n").count, 3, e.answer)  // level ≥ 2 always has two steps
        }
    }

    func testUnknownFamilyOrLevelIsRejected() {
        XCTAssertThrowsError(try MathCoTGenerator(seed: 1, options: MathCoTOptions(familyDifficulty: ["algebra": 1...2]))) {
            XCTAssertTrue("\($0)".hasPrefix("invalid option cot.familyDifficulty = algebra: unknown family"), "\($0)")
        }
        XCTAssertThrowsError(try DownstreamGenerator(seed: 1, options: DownstreamOptions(familyDifficulty: ["ages": 2...6]))) {
            XCTAssertEqual($0 as? DatasetError, .invalidOption(name: "downstream.familyDifficulty[ages]", value: "2...6",
                                                                rule: "must lie within 1...5"))
        }
    }
}
