import Foundation

/// Which questions a trial answered correctly at its final evaluation, written by the
/// built-in engine as `<checkpoint.dir>/questions.json` (the trial's directory under a
/// sweep) so that `vsweep compare` can pair arms question by question. Format
/// (docs/protocol.md; external engines may write the same file):
///
///     {"format": "vsweep.questions/1", "trial": "name-3", "seed": 3, "updates": 60,
///      "splits": [{"name": "test", "metric": "test_pass1", "ids": ["t-0001", …], "correct": "0100…"}]}
///
/// `correct` has one character per id, `1` answered correctly, `0` not (a prompt too long
/// for the context counts as wrong, as in Pass@1). A file rather than a store table: the
/// engine writes it itself, next to its checkpoint, with no protocol change, and the
/// report stream stays small (a 1000-question split is ~10 KB of ids).
struct QuestionOutcomes: Codable, Equatable {
    struct Split: Codable, Equatable {
        var name: String
        var metric: String
        var ids: [String]
        var correct: String

        init(name: String, metric: String, ids: [String], correct: [Bool]) {
            self.name = name
            self.metric = metric
            self.ids = ids
            self.correct = String(correct.map { $0 ? "1" : "0" })
        }
    }

    static let fileName = "questions.json"
    static let formatName = "vsweep.questions/1"

    var format = QuestionOutcomes.formatName
    var trial: String?
    var seed: UInt64
    var updates: Int
    var splits: [Split]

    init(trial: String?, seed: UInt64, updates: Int, splits: [Split]) {
        self.trial = trial
        self.seed = seed
        self.updates = updates
        self.splits = splits
    }

    func write(toDirectory dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: URL(fileURLWithPath: dir + "/" + Self.fileName), options: .atomic)
    }
}
