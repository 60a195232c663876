extension Dataset {
    /// Writes a copy of this dataset to `directory` with every base and CoT
    /// document that shares an n-gram with a validation/test question removed
    /// (`vsweep data contamination --decontaminate --out DIR`). The splits are
    /// copied unchanged; the manifest keeps the original options, says
    /// "decontaminated:<original source>" and counts what was removed.
    public func writeDecontaminated(to directory: String, n: Int = Contamination.defaultN) throws -> DatasetSummary {
        try DatasetError.check((1...64).contains(n), "ngram", "\(n)", "must be in 1...64")
        let clock = ContinuousClock()
        let start = clock.now
        let writer = DatasetWriter(base: base, cot: cot,
                                   splits: [.feedback: feedback, .validation: validation, .test: test],
                                   decontaminate: true, ngram: n)
        let original = manifest
        let output = try writer.write(to: directory) { counts, removed, files in
            var m = original
            m.source = "decontaminated:" + original.source
            m.counts = counts
            m.removedByDecontamination = removed
            m.files = files
            return m
        }
        let elapsed = clock.now - start
        return DatasetSummary(directory: directory, manifest: output.manifest, contamination: output.contamination,
                              promptLengths: PromptLengthStatistics(validation), seconds: elapsed.inSeconds)
    }
}

extension Duration {
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
