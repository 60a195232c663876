import XCTest
import Kernels
@testable import Learner

/// The KV-cache decoder against the training forward pass: same logits at every
/// position, same greedy tokens as re-running the full forward on the growing
/// sequence, stop and context rules, and no state carried between calls.
final class DecodeTests: XCTestCase {
    /// hs = 16 (one full vector lane group per head) and a second shape with hs = 12,
    /// which exercises the kernels' scalar tails.
    static let config = GPTConfig(dModel: 32, nLayer: 2, nHead: 2, context: 16, batch: 4)
    static let oddConfig = GPTConfig(dModel: 24, nLayer: 2, nHead: 2, context: 12, batch: 4)
    /// A context over 32 so attention takes its two-key-block path, then a one-block tail.
    static let longConfig = GPTConfig(dModel: 32, nLayer: 1, nHead: 2, context: 40, batch: 1)

    /// A tiny model with non-trivial biases and gains and its matrices scaled up
    /// (wte ×10, wpe ×40, block weights ×20): the logits then spread over several
    /// units and greedy continuations depend on both tokens and positions (at the
    /// initial scale every continuation repeats one byte).
    static func model(_ config: GPTConfig = config, seed: UInt64 = 11,
                      scales: (wte: Float, wpe: Float, blocks: Float) = (10, 40, 20)) throws -> GPT {
        let m = try makeTinyModel(seed: seed, config: config)
        for t in m.layout.tensors where t.shape.count == 2 {
            let p = m.params.base + t.offset
            let k = t.name == "wte" ? scales.wte : t.name == "wpe" ? scales.wpe : scales.blocks
            for i in 0..<t.count { p[i] *= k }
        }
        return m
    }

    /// n bytes: a corpus snippet for even seeds, uniform random bytes for odd ones.
    static func bytes(_ n: Int, seed: UInt64) -> [UInt8] {
        var rng = Xoshiro256StarStar(seed: seed, stream: 3)
        let corpus = TrainingSanityTests.corpus
        if seed % 2 == 0 {
            let start = Int(rng.next() % UInt64(corpus.count - n))
            return Array(corpus[start..<(start + n)])
        }
        return (0..<n).map { _ in UInt8(rng.next() % 256) }
    }

    /// Logits (T, V) of the training forward pass on one sequence.
    static func fullLogits(_ m: GPT, _ seq: [UInt8]) -> [[Float]] {
        let tokens = seq.map(Int32.init)
        tokens.withUnsafeBufferPointer { m.forward(tokens: $0.baseAddress!, batch: 1, time: seq.count) }
        let V = m.config.vocab
        return (0..<seq.count).map { t in Array(UnsafeBufferPointer(start: m.logits + t * V, count: V)) }
    }

    /// Greedy continuation by re-running the full forward on the growing sequence.
    static func naiveGreedy(_ m: GPT, _ prompt: [UInt8], maxNewTokens: Int) -> [UInt8] {
        var seq = prompt, out: [UInt8] = []
        while out.count < maxNewTokens && seq.count < m.config.context {
            let last = fullLogits(m, seq).last!
            var best = 0
            for v in 1..<last.count where last[v] > last[best] { best = v }
            seq.append(UInt8(best)); out.append(UInt8(best))
        }
        return out
    }

    /// |a − b| ≤ 1e-5 · (largest |logit| of the row, at least 1), at every vocabulary entry.
    func assertClose(_ a: UnsafeBufferPointer<Float>, _ b: [Float], _ what: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        let scale = max(1, b.map(abs).max()!)
        var worst: Float = 0
        for v in 0..<b.count { worst = max(worst, abs(a[v] - b[v])) }
        XCTAssertLessThanOrEqual(worst, 1e-5 * scale, "\(what): max |diff| \(worst) at logit scale \(scale)",
                                 file: file, line: line)
    }

    // MARK: 1. cached logits equal the training forward's

    func testStepByStepLogitsMatchForwardAtBatchOne() throws {
        for config in [Self.config, Self.oddConfig, Self.longConfig] {
            let m = try Self.model(config)
            let seq = Self.bytes(config.context, seed: 1)
            let want = Self.fullLogits(m, seq)
            XCTAssertGreaterThan(want.joined().map(abs).max()!, 2, "logits should spread over several units")
            let cache = try KVCache(model: m, maxBatch: 1)
            for t in 0..<seq.count {
                let r = try cache.append(token: Int(seq[t]), slot: 0)
                cache.run()
                assertClose(cache.logits(row: r), want[t], "C=\(config.dModel) position \(t)")
            }
            XCTAssertEqual(cache.length(ofSlot: 0), config.context)
        }
    }

    func testPrefillInOneRunMatchesForwardAtEveryPosition() throws {
        let m = try Self.model()
        let seq = Self.bytes(Self.config.context, seed: 2)
        let want = Self.fullLogits(m, seq)
        let cache = try KVCache(model: m, maxBatch: 2)
        // a first run of 5 positions, then the other 11 in one run on top of the cache
        for t in 0..<5 { try cache.append(token: Int(seq[t]), slot: 1) }
        cache.run()
        for t in 0..<5 { assertClose(cache.logits(row: t), want[t], "prefill position \(t)") }
        for t in 5..<seq.count { try cache.append(token: Int(seq[t]), slot: 1) }
        cache.run()
        for t in 5..<seq.count { assertClose(cache.logits(row: t - 5), want[t], "second run position \(t)") }
    }

    func testRaggedBatchOfThreeStepByStepMatchesForward() throws {
        let m = try Self.model()
        let seqs = [Self.bytes(16, seed: 3), Self.bytes(9, seed: 4), Self.bytes(4, seed: 5)]
        let want = seqs.map { Self.fullLogits(m, $0) }
        let cache = try KVCache(model: m, maxBatch: 3)
        // slot b holds sequence 2 − b so rows and slots are not in the same order
        for t in 0..<16 {
            var rowOf: [Int: Int] = [:]
            for s in (0..<3).reversed() where t < seqs[s].count {
                rowOf[s] = try cache.append(token: Int(seqs[s][t]), slot: 2 - s)
            }
            cache.run()
            for (s, r) in rowOf { assertClose(cache.logits(row: r), want[s][t], "sequence \(s) position \(t)") }
        }
        XCTAssertEqual((0..<3).map { cache.length(ofSlot: $0) }, [4, 9, 16])
    }

    // MARK: 2. greedy generation equals the naive full-forward loop

    func testGreedyMatchesNaiveReference() throws {
        for config in [Self.config, Self.oddConfig] {
            let m = try Self.model(config)
            let C = config.context
            // lengths: short, mid, two that reach the context limit, one that is already full
            let prompts = [Self.bytes(1, seed: 6), Self.bytes(5, seed: 7), Self.bytes(C - 3, seed: 8),
                           Self.bytes(C - 1, seed: 9), Self.bytes(C, seed: 10), Self.bytes(4, seed: 11)]
            let want = prompts.map { Self.naiveGreedy(m, $0, maxNewTokens: 6) }
            XCTAssertEqual(want.map(\.count), [6, 6, 3, 1, 0, 6])
            XCTAssertGreaterThan(Set(want.joined()).count, 3, "the reference should not be one repeated byte: \(want)")
            // maxBatch 1 (one at a time), 2 (slots refilled from the queue), 6 (all at once)
            for maxBatch in [1, 2, 6] {
                let dec = try GreedyDecoder(model: m, maxBatch: maxBatch)
                let got = try dec.generate(prompts: prompts, maxNewTokens: 6)
                XCTAssertEqual(got, want, "C=\(config.dModel) maxBatch \(maxBatch)")
            }
        }
    }

    func testLongPromptsSplitAcrossRunsMatchNaive() throws {
        // three 12-byte prompts with 16 rows per run: the second prompt's prefill spans two runs
        let m = try Self.model()
        let prompts = (0..<3).map { Self.bytes(12, seed: 20 + UInt64($0)) }
        let dec = try GreedyDecoder(model: m, maxBatch: 3)
        XCTAssertEqual(dec.cache.rowCapacity, 16)
        let got = try dec.generate(prompts: prompts, maxNewTokens: 10)
        XCTAssertEqual(got, prompts.map { Self.naiveGreedy(m, $0, maxNewTokens: 10) })
        XCTAssertEqual(got.map(\.count), [4, 4, 4], "12-byte prompts have room for 4 tokens in a 16 context")
    }

    // MARK: 3. stop callback and context limit

    func testStopCallbackEndsASequenceWithTheTokenThatStoppedIt() throws {
        let m = try Self.model()
        let prompts = [Self.bytes(3, seed: 30), Self.bytes(4, seed: 31)]
        let full = prompts.map { Self.naiveGreedy(m, $0, maxNewTokens: 8) }
        XCTAssertEqual(full.map(\.count), [8, 8])
        let stopByte = full[0][2]
        let firstStop = full[0].firstIndex(of: stopByte)!
        var seen: [[UInt8]] = [[], []]
        let dec = try GreedyDecoder(model: m, maxBatch: 2)
        let got = try dec.generate(prompts: prompts, maxNewTokens: 8) { s, generated in
            XCTAssertEqual(Array(generated), Array(full[s].prefix(generated.count)), "callback sees the prefix")
            seen[s] = Array(generated)
            return s == 0 ? generated.last == stopByte : generated.count == 5
        }
        XCTAssertEqual(got[0], Array(full[0].prefix(firstStop + 1)))
        XCTAssertEqual(got[1], Array(full[1].prefix(5)))
        XCTAssertEqual(seen, got, "stop is asked after every token, the last one included")
    }

    func testContextLimitStopsGenerationAndFullSlotsRefuseTokens() throws {
        let m = try Self.model()
        let C = Self.config.context
        let dec = try GreedyDecoder(model: m, maxBatch: 2)
        let got = try dec.generate(prompts: [Self.bytes(C - 2, seed: 40), Self.bytes(C, seed: 41)], maxNewTokens: 100)
        XCTAssertEqual(got.map(\.count), [2, 0], "prompt + generated never exceed the context of \(C)")
        XCTAssertEqual(try dec.generate(prompts: [Self.bytes(3, seed: 42)], maxNewTokens: 0), [[]])

        let cache = try KVCache(model: m, maxBatch: 1)
        for t in 0..<C { try cache.append(token: t, slot: 0) }
        XCTAssertThrowsError(try cache.append(token: 0, slot: 0)) { error in
            XCTAssertEqual((error as? DecodeError)?.field, "slot")
        }
    }

    // MARK: 4. no state leaks between calls

    func testRepeatedCallsGiveTheSameOutput() throws {
        let m = try Self.model()
        let dec = try GreedyDecoder(model: m, maxBatch: 3)
        let a = [Self.bytes(6, seed: 50), Self.bytes(2, seed: 51), Self.bytes(9, seed: 52)]
        let b = [Self.bytes(11, seed: 53), Self.bytes(13, seed: 54)]
        let first = try dec.generate(prompts: a, maxNewTokens: 7)
        let other = try dec.generate(prompts: b, maxNewTokens: 3)
        let second = try dec.generate(prompts: a, maxNewTokens: 7)
        XCTAssertEqual(first, second)
        XCTAssertEqual(try dec.generate(prompts: b, maxNewTokens: 3), other)
        // and each sequence decodes the same alone as in a batch
        for (p, out) in zip(a, first) { XCTAssertEqual(try dec.generate(prompts: [p], maxNewTokens: 7), [out]) }
    }

    // MARK: rules and validation

    func testArgmaxTakesTheLowestIdOnTiesAndIgnoresNaN() {
        func argmax(_ x: [Float]) -> Int { x.withUnsafeBufferPointer { GreedyDecoder.argmax($0) } }
        XCTAssertEqual(argmax([1, 3, 3, 2]), 1)
        XCTAssertEqual(argmax([-2, -1, -1.5]), 1)
        XCTAssertEqual(argmax([.nan, 0.5, .nan, 0.7]), 3)
        XCTAssertEqual(argmax([5]), 0)
    }

    func testInvalidInputThrowsNamingTheField() throws {
        let m = try Self.model()
        let dec = try GreedyDecoder(model: m, maxBatch: 2)
        func field(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch { return (error as? DecodeError)?.field }
        }
        XCTAssertEqual(field { _ = try dec.generate(prompts: [[1], []], maxNewTokens: 1) }, "prompts[1]")
        XCTAssertEqual(field { _ = try dec.generate(prompts: [Self.bytes(17, seed: 1)], maxNewTokens: 1) }, "prompts[0]")
        XCTAssertEqual(field { _ = try dec.generate(prompts: [[1]], maxNewTokens: -1) }, "maxNewTokens")
        XCTAssertEqual(field { _ = try GreedyDecoder(model: m, maxBatch: 0) }, "maxBatch")
        let cache = try KVCache(model: m, maxBatch: 2)
        XCTAssertEqual(field { try cache.append(token: 256, slot: 0) }, "token")
        XCTAssertEqual(field { try cache.append(token: 1, slot: 2) }, "slot")
        try cache.append(token: 1, slot: 1)
        XCTAssertEqual(field { try cache.reset(slot: 1) }, "slot")
    }
}
