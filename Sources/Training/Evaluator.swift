import Corpus
import Kernels
import Learner

/// Evaluation of a learner, outside the training budget: held-out LM loss on
/// the unlabeled stream, the feedback-set loss (L_down: mean cross-entropy on
/// answer bytes with the question as prompt), and Pass@1 by greedy decoding.
final class Evaluator {
    let model: GPT
    let decoder: GreedyDecoder
    let maxNewTokens: Int
    let batch: Int

    init(model: GPT, batch: Int, maxNewTokens: Int) throws {
        self.model = model
        self.batch = min(batch, model.config.batch)
        self.maxNewTokens = maxNewTokens
        decoder = try GreedyDecoder(model: model, maxBatch: self.batch)
    }

    /// Mean next-byte loss over `windows` (each T + 1 bytes).
    func lmLoss(windows: [ArraySlice<UInt8>]) -> Double {
        guard let T = windows.first.map({ $0.count - 1 }) else { return .nan }
        var total = 0.0
        var x = [Int32](repeating: 0, count: batch * T), y = [Int32](repeating: -1, count: batch * T)
        var i = 0
        while i < windows.count {
            let rows = min(batch, windows.count - i)
            for r in 0..<rows {
                let w = windows[i + r]
                for t in 0..<T {
                    x[r * T + t] = Int32(w[w.startIndex + t])
                    y[r * T + t] = Int32(w[w.startIndex + t + 1])
                }
            }
            total += lossOn(x, y, rows: rows, T: T) * Double(rows)
            i += rows
        }
        return total / Double(windows.count)
    }

    /// L_down: mean cross-entropy over completion bytes of the examples, each
    /// example its own row (padded; pad positions and prompt bytes masked).
    /// Examples longer than the context are skipped and counted.
    func feedbackLoss(_ examples: [DownstreamExample]) -> (loss: Double, skipped: Int) {
        let context = model.config.context
        let rows = examples.compactMap { PromptFormat.encode($0).teacherForcing(context: context) }
        guard !rows.isEmpty else { return (.nan, examples.count) }
        var sum = 0.0, count = 0
        var i = 0
        while i < rows.count {
            let chunk = rows[i..<min(rows.count, i + batch)]
            let T = chunk.map(\.inputs.count).max()!
            var x = [Int32](repeating: 0, count: chunk.count * T), y = [Int32](repeating: -1, count: chunk.count * T)
            var n = 0
            for (r, row) in chunk.enumerated() {
                for t in 0..<row.inputs.count {
                    x[r * T + t] = Int32(row.inputs[t])
                    if row.lossMask[t] { y[r * T + t] = Int32(row.targets[t]); n += 1 }
                }
            }
            sum += lossOn(x, y, rows: chunk.count, T: T) * Double(n)
            count += n
            i += chunk.count
        }
        return (sum / Double(max(count, 1)), examples.count - rows.count)
    }

    /// Fraction of examples whose greedily decoded final answer matches.
    func passAt1(_ examples: [DownstreamExample]) throws -> Double {
        guard !examples.isEmpty else { return .nan }
        let correct = try outcomes(examples)
        return Double(correct.count { $0 }) / Double(examples.count)
    }

    /// Per example (input order), whether its greedily decoded final answer matches.
    /// A prompt that leaves no room to answer within the context counts as wrong.
    func outcomes(_ examples: [DownstreamExample]) throws -> [Bool] {
        let stop = StopRule(maxNewBytes: maxNewTokens)
        let context = model.config.context
        var result = [Bool](repeating: false, count: examples.count)
        let fitting = examples.indices.filter { PromptFormat.encode(examples[$0]).prompt.count < context }
        var i = 0
        while i < fitting.count {
            let chunk = Array(fitting[i..<min(fitting.count, i + batch)])
            let prompts = chunk.map { PromptFormat.encode(examples[$0]).prompt }
            let outputs = try decoder.generate(prompts: prompts, maxNewTokens: maxNewTokens) { _, generated in
                stop.shouldStop(Array(generated))
            }
            for (index, out) in zip(chunk, outputs) {
                let text = String(decoding: out, as: UTF8.self)
                result[index] = AnswerExtraction.isCorrect(predicted: AnswerExtraction.finalAnswer(in: text),
                                                           reference: examples[index].finalAnswer)
            }
            i += chunk.count
        }
        return result
    }

    private func lossOn(_ x: [Int32], _ y: [Int32], rows: Int, T: Int) -> Double {
        x.withUnsafeBufferPointer { xp in model.forward(tokens: xp.baseAddress!, batch: rows, time: T) }
        return y.withUnsafeBufferPointer { yp in model.loss(.tokens(yp.baseAddress!)) }
    }
}
