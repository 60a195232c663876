import Vocabulary

/// Generates a complete dataset directory from `DatasetOptions`:
/// base.jsonl, cot.jsonl, feedback.jsonl, validation.jsonl, test.jsonl,
/// contamination.json and manifest.json (see docs/data.md).
public enum DatasetBuilder {
    /// The generated records, before writing (also useful in memory).
    public struct Generated: Sendable {
        public var base: [TextDocument]
        public var cot: [MathDocument]
        public var splits: [DownstreamSplit: [DownstreamExample]]
        public var injectedDocumentIDs: [String]
    }

    public static func generate(_ options: DatasetOptions) throws -> Generated {
        try options.validate()
        let base = try BaseCorpusGenerator(seed: options.seed, options: options.base).generate()
        var cot = try MathCoTGenerator(seed: options.seed, options: options.cot).generate()
        let downstream = try DownstreamGenerator(seed: options.seed, options: options.downstream)
        var splits: [DownstreamSplit: [DownstreamExample]] = [:]
        for split in DownstreamSplit.allCases {
            splits[split] = try downstream.generate(split)
        }
        let injected = inject(options.contaminate, into: &cot, from: (splits[.validation] ?? []) + (splits[.test] ?? []),
                              seed: options.seed)
        return Generated(base: base, cot: cot, splits: splits, injectedDocumentIDs: injected)
    }

    public static func write(to directory: String, options: DatasetOptions = DatasetOptions()) throws -> DatasetSummary {
        let clock = ContinuousClock()
        let start = clock.now
        let generated = try generate(options)
        let writer = DatasetWriter(base: generated.base, cot: generated.cot, splits: generated.splits,
                                   decontaminate: options.decontaminate, ngram: options.ngram)
        let output = try writer.write(to: directory) { counts, removed, files in
            DatasetManifest(
                format: "vsweep-dataset", version: DatasetManifest.currentVersion, source: "generated",
                options: options, importOptions: nil, counts: counts,
                injectedDocumentIDs: generated.injectedDocumentIDs, removedByDecontamination: removed,
                skippedLines: [], files: files)
        }
        let elapsed = clock.now - start
        return DatasetSummary(
            directory: directory, manifest: output.manifest, contamination: output.contamination,
            promptLengths: PromptLengthStatistics(generated.splits[.validation] ?? []),
            seconds: elapsed.inSeconds)
    }

    /// Adds `k` near-duplicates of eval questions to `cot` and returns their ids.
    ///
    /// Which questions and where they go come from the stream "contaminate".
    /// A near-duplicate keeps the question's words but changes what the n-gram
    /// normalisation ignores: it is upper-cased, its spaces doubled, and it is
    /// prefixed with "Practice:"; the solution is the example's reasoning. So
    /// each injected document shares every n-gram of its question and the
    /// report must flag it. Documents are inserted, so cot.jsonl holds
    /// `cot.count + k` documents; they have family "injected".
    static func inject(_ k: Int, into cot: inout [MathDocument], from pool: [DownstreamExample], seed: UInt64) -> [String] {
        guard k > 0 else { return [] }
        var rng = SplitMix64(seed: seed, stream: "contaminate")
        var order = Array(pool.indices)
        rng.shuffle(&order)
        var ids: [String] = []
        for (i, index) in order.prefix(k).enumerated() {
            let example = pool[index]
            let reasoning = example.answer.split(separator: "\n").filter { !$0.hasPrefix(AnswerExtraction.marker) }
            let doc = MathDocument(
                id: "cot-injected-" + String(i),
                problem: "Practice: " + example.question.uppercased().replacingOccurrences(" ", with: "  "),
                solution: reasoning.joined(separator: "\n"), answer: example.finalAnswer,
                family: "injected", difficulty: 0)
            let position = Int(rng.uniform(below: UInt64(cot.count + 1)))
            cot.insert(doc, at: position)
            ids.append(doc.id)
        }
        return ids
    }
}

extension String {
    func replacingOccurrences(_ target: Character, with replacement: String) -> String {
        var out = ""
        for ch in self { if ch == target { out += replacement } else { out.append(ch) } }
        return out
    }
}
