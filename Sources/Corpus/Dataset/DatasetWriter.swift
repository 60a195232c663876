import Foundation

/// The shared last stage of generation and import: contamination report,
/// optional decontamination, writing the files and the manifest.
struct DatasetWriter {
    var base: [TextDocument]
    var cot: [MathDocument]
    var splits: [DownstreamSplit: [DownstreamExample]]
    var decontaminate: Bool
    var ngram: Int

    struct Output {
        var manifest: DatasetManifest
        var contamination: [String: ContaminationReport]
    }

    /// Writes every file into `directory` (created if needed); `makeManifest`
    /// receives (record counts, removed counts, data files) and returns the
    /// manifest to write last.
    func write(to directory: String, manifest makeManifest: ([String: Int], [String: Int], [ManifestFile]) -> DatasetManifest)
        throws -> Output {
        let questions = [DownstreamSplit.validation, .test].flatMap { split in
            (splits[split] ?? []).map { EvalQuestion($0, split: split.rawValue) }
        }
        let baseReport = Contamination.report(base, against: questions, n: ngram)
        let cotReport = Contamination.report(cot, against: questions, n: ngram)
        var baseOut = base, cotOut = cot
        var removed: [String: Int] = [:]
        if decontaminate {
            baseOut = Contamination.decontaminate(base, text: PromptFormat.trainingText, against: questions, n: ngram)
            cotOut = Contamination.decontaminate(cot, text: PromptFormat.trainingText, against: questions, n: ngram)
            removed[DatasetLayout.base] = base.count - baseOut.count
            removed[DatasetLayout.cot] = cot.count - cotOut.count
        }
        let reports = ["base": baseReport, "cot": cotReport]

        try createDirectory(directory)
        var files: [ManifestFile] = []
        var counts: [String: Int] = [:]
        func put(_ name: String, _ data: Data, count: Int?) throws {
            let path = directory + "/" + name
            do {
                try data.write(to: URL(fileURLWithPath: path))
            } catch {
                throw DatasetError.io(path: path, message: "cannot write: \(error.localizedDescription)")
            }
            files.append(ManifestFile(name: name, data: data))
            if let count { counts[name] = count }
        }
        try put(DatasetLayout.base, JSONLines.encode(baseOut), count: baseOut.count)
        try put(DatasetLayout.cot, JSONLines.encode(cotOut), count: cotOut.count)
        for split in DownstreamSplit.allCases {
            let examples = splits[split] ?? []
            try put(DatasetLayout.file(split), JSONLines.encode(examples), count: examples.count)
        }
        try put(DatasetLayout.contamination, encodeJSON(reports), count: nil)
        files.sort { $0.name < $1.name }
        let manifest = makeManifest(counts, removed, files)
        try put(DatasetLayout.manifest, encodeJSON(manifest), count: nil)
        return Output(manifest: manifest, contamination: reports)
    }

    private func createDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw DatasetError.io(path: path, message: "cannot create directory: \(error.localizedDescription)")
        }
    }
}

/// Pretty, key-sorted JSON with a final newline: stable bytes for stable input.
func encodeJSON<T: Encodable>(_ value: T) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    var data = try encoder.encode(value)
    data.append(0x0A)
    return data
}
