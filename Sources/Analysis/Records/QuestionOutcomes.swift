import Foundation

/// Per-question outcomes of a trial's final evaluation, read from the file the built-in
/// engine writes in the trial's directory (`questions.json`, format `vsweep.questions/1`,
/// docs/protocol.md): for each metric (e.g. `test_pass1`), question id → answered correctly.
public enum QuestionOutcomes {
    public static let fileName = "questions.json"

    private struct File: Decodable {
        struct Split: Decodable { let name: String, metric: String, ids: [String], correct: String }
        let format: String
        let splits: [Split]
    }

    /// nil when there is no file; throws on a malformed one (naming it).
    public static func load(directory: String) throws -> [String: [String: Bool]]? {
        let path = directory + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: data) } catch {
            throw AnalysisError("\(path): not a vsweep.questions/1 file (\(error))")
        }
        guard file.format.hasPrefix("vsweep.questions/") else { throw AnalysisError("\(path): format \(file.format) is not vsweep.questions/1") }
        var out: [String: [String: Bool]] = [:]
        for split in file.splits {
            let marks = Array(split.correct)
            guard marks.count == split.ids.count, marks.allSatisfy({ $0 == "0" || $0 == "1" }) else {
                throw AnalysisError("\(path): split \(split.name) has \(split.ids.count) ids and \(marks.count) outcomes; need one 0/1 per id")
            }
            out[split.metric] = Dictionary(zip(split.ids, marks.map { $0 == "1" }), uniquingKeysWith: { a, _ in a })
        }
        return out
    }
}

/// Question-level comparison of a Pass@1 metric: the per-question outcomes of an arm and
/// the reference paired by seed and question id, pooled over seeds.
///
/// Test: exact McNemar on the discordant (seed, question) pairs — b where only the arm
/// answered, c where only the reference did; under H₀ b ~ Binomial(b + c, ½). It conditions
/// on the trained runs: it asks whether these runs differ on this population of questions,
/// treating every (seed, question) pair as independent. It does not account for the
/// training randomness between seeds (the seed-level sign-flip test does), nor for a
/// question's outcomes being correlated across seeds; with few seeds read it as "these
/// checkpoints differ", not "the method differs". Pass@1 of each arm gets a Wilson interval
/// over its pooled (seed, question) outcomes, with the same caveat.
public struct QuestionComparison: Sendable, Equatable {
    public var metric: String
    public var arm: String
    public var seeds: Int
    /// (seed, question) pairs compared.
    public var pairs: Int
    public var armCorrect: Int
    public var referenceCorrect: Int
    public var armInterval: ConfidenceInterval
    public var referenceInterval: ConfidenceInterval
    public var test: ExactMcNemar

    public var armPass: Double { Double(armCorrect) / Double(pairs) }
    public var referencePass: Double { Double(referenceCorrect) / Double(pairs) }
}
