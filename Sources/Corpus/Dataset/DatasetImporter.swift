import Vocabulary

/// Options for turning real files into a dataset directory with the same
/// layout as a generated one.
public struct DatasetImportOptions: Codable, Sendable, Equatable {
    /// GSM8K-format training file: feedback and validation are carved from it.
    public var gsm8kTrain: String
    /// GSM8K-format test file: the test split (its first `testCount` examples).
    public var gsm8kTest: String
    /// NuminaMath-CoT-format files → cot.jsonl (in the given order).
    public var numina: [String]
    /// Plain-text files (or `{"text"}` JSON Lines when the name ends in
    /// ".jsonl") → base.jsonl.
    public var text: [String]
    public var textMode: PlainTextImporter.Mode
    public var feedbackCount: Int
    public var validationCount: Int
    /// At most this many test examples (all of them if the file holds fewer).
    public var testCount: Int
    /// Seeds the shuffle that carves feedback/validation from the train file.
    public var seed: UInt64
    public var skipBad: Bool
    public var decontaminate: Bool
    public var ngram: Int

    public init(gsm8kTrain: String, gsm8kTest: String, numina: [String] = [], text: [String] = [],
                textMode: PlainTextImporter.Mode = .paragraphs, feedbackCount: Int = 1024,
                validationCount: Int = 256, testCount: Int = 1000, seed: UInt64 = 1, skipBad: Bool = false,
                decontaminate: Bool = false, ngram: Int = Contamination.defaultN) {
        self.gsm8kTrain = gsm8kTrain
        self.gsm8kTest = gsm8kTest
        self.numina = numina
        self.text = text
        self.textMode = textMode
        self.feedbackCount = feedbackCount
        self.validationCount = validationCount
        self.testCount = testCount
        self.seed = seed
        self.skipBad = skipBad
        self.decontaminate = decontaminate
        self.ngram = ngram
    }

    func validate() throws {
        try DatasetError.check(feedbackCount >= 0, "feedbackCount", "\(feedbackCount)", "must be ≥ 0")
        try DatasetError.check(validationCount >= 0, "validationCount", "\(validationCount)", "must be ≥ 0")
        try DatasetError.check(testCount >= 0, "testCount", "\(testCount)", "must be ≥ 0")
        try DatasetError.check((1...64).contains(ngram), "ngram", "\(ngram)", "must be in 1...64")
    }
}

/// Imports real GSM8K / NuminaMath-CoT / text files into a dataset directory.
///
/// Splits: the test split is the first `testCount` examples of the test file,
/// with repeated questions dropped. The train file's examples, minus any whose
/// question (whitespace-normalised) is also a test question or repeats an
/// earlier one, are shuffled with the stream "import/split" of the seed; the
/// first `feedbackCount` become feedback, the next `validationCount`
/// validation. Too few train examples is an error naming the counts.
public enum DatasetImporter {
    public static func write(to directory: String, options: DatasetImportOptions) throws -> DatasetSummary {
        try options.validate()
        let clock = ContinuousClock()
        let start = clock.now
        var skipped: [ImportError] = []

        let train = try GSM8KImporter.load(path: options.gsm8kTrain, skipBad: options.skipBad)
        let testFile = try GSM8KImporter.load(path: options.gsm8kTest, skipBad: options.skipBad)
        skipped += train.skipped + testFile.skipped

        func key(_ question: String) -> String {
            question.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        var seen = Set<String>()
        var test: [DownstreamExample] = []
        for example in testFile.records where test.count < options.testCount {
            if seen.insert(key(example.question)).inserted { test.append(example) }
        }
        var pool = train.records.filter { seen.insert(key($0.question)).inserted }
        let needed = options.feedbackCount + options.validationCount
        guard pool.count >= needed else {
            throw DatasetError.invalidOption(
                name: "feedbackCount + validationCount", value: "\(needed)",
                rule: "\(options.gsm8kTrain) has only \(pool.count) usable examples (distinct, not in the test file)")
        }
        var rng = SplitMix64(seed: options.seed, stream: "import/split")
        rng.shuffle(&pool)
        let splits: [DownstreamSplit: [DownstreamExample]] = [
            .feedback: Array(pool[0..<options.feedbackCount]),
            .validation: Array(pool[options.feedbackCount..<needed]),
            .test: test,
        ]

        var cot: [MathDocument] = []
        for path in options.numina {
            let result = try NuminaMathImporter.load(path: path, skipBad: options.skipBad)
            cot += result.records
            skipped += result.skipped
        }
        var base: [TextDocument] = []
        for path in options.text {
            let result = path.hasSuffix(".jsonl")
                ? try PlainTextImporter.loadJSONL(path: path, skipBad: options.skipBad)
                : try PlainTextImporter.load(path: path, mode: options.textMode, skipBad: options.skipBad)
            base += result.records
            skipped += result.skipped
        }

        let writer = DatasetWriter(base: base, cot: cot, splits: splits,
                                   decontaminate: options.decontaminate, ngram: options.ngram)
        let output = try writer.write(to: directory) { counts, removed, files in
            DatasetManifest(
                format: "vsweep-dataset", version: DatasetManifest.currentVersion, source: "imported",
                options: nil, importOptions: options, counts: counts, injectedDocumentIDs: [],
                removedByDecontamination: removed, skippedLines: skipped.map(\.description), files: files)
        }
        let elapsed = clock.now - start
        return DatasetSummary(
            directory: directory, manifest: output.manifest, contamination: output.contamination,
            promptLengths: PromptLengthStatistics(splits[.validation] ?? []),
            seconds: elapsed.inSeconds)
    }
}
