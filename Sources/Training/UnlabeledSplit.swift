import Corpus

/// The unlabeled CoT stream split for one sequence length T: the last 5% (at
/// least one window) is held out for the LM loss, the rest is training text.
struct UnlabeledSplit {
    let training: [UInt8]
    let heldout: [UInt8]
    let T: Int

    init(_ dataset: Dataset, T: Int) {
        let bytes = PromptFormat.unlabeledStream(dataset.cot.map(PromptFormat.trainingText))
        let split = max(0, bytes.count - max(bytes.count / 20, T + 1))
        training = Array(bytes[..<split])
        heldout = Array(bytes[split...])
        self.T = T
    }

    /// `n` evenly spaced held-out windows of T + 1 bytes (fixed, seed-independent).
    func heldoutWindows(_ n: Int) -> [ArraySlice<UInt8>] {
        let positions = heldout.count - (T + 1)
        guard n > 0, positions >= 0 else { return [] }
        return (0..<n).map { i in
            let start = positions * i / max(n - 1, 1)
            return heldout[start..<(start + T + 1)]
        }
    }
}
