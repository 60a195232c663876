extension DatasetSummary {
    /// Human-readable lines for the CLI to print (it adds nothing of its own).
    public var lines: [String] {
        var out = ["dataset \(directory) (\(manifest.source)) in \(format2(seconds)) s"]
        for file in manifest.files {
            let records = manifest.counts[file.name].map { ", \($0) records" } ?? ""
            out.append("  \(file.name): \(file.bytes) bytes, \(file.lines) lines\(records), fnv1a64 \(file.fnv1a64)")
        }
        for key in contamination.keys.sorted() {
            let r = contamination[key]!
            let hits = r.questionsHit.keys.sorted().map { "\($0) \(r.questionsHit[$0]!)" }.joined(separator: ", ")
            out.append("  contamination \(key) (n=\(r.n)): \(r.documentsFlagged) of \(r.documentsChecked) documents flagged; "
                       + "questions hit: \(hits.isEmpty ? "none" : hits)")
        }
        for (file, count) in manifest.removedByDecontamination.sorted(by: { $0.key < $1.key }) {
            out.append("  decontamination removed \(count) documents from \(file)")
        }
        if !manifest.skippedLines.isEmpty {
            out.append("  skipped \(manifest.skippedLines.count) bad lines, first: \(manifest.skippedLines[0])")
        }
        let p = promptLengths
        out.append("  validation prompt+answer bytes: max \(p.maxBytes), mean \(format2(p.meanBytes)); "
                   + "over context 128: \(p.over128), over 256: \(p.over256)")
        return out
    }
}

/// Two decimals without Foundation's String(format:).
func format2(_ x: Double) -> String {
    let scaled = Int((x * 100).rounded())
    let sign = scaled < 0 ? "-" : ""
    let a = abs(scaled)
    let frac = a % 100
    return "\(sign)\(a / 100).\(frac < 10 ? "0" : "")\(frac)"
}
