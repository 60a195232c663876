import XCTest
import Foundation
import Kernels
import Learner
import Vocabulary
@testable import Training

/// A tiny learner with realistic (peaked) distributions, a batch with masked positions, the
/// downstream direction g = ∇θ of the one-hot loss on a *different* batch, and u = J·g on the
/// learner batch from the exact tangent pass.
struct DesignerFixture {
    static let config = GPTConfig(dModel: 16, nLayer: 2, nHead: 2, context: 8, batch: 2)
    let model: GPT
    let tokens: [Int32]
    let targets: [Int32]
    let probs: [Float]
    let hidden: [Float]
    let g: [Float]
    let u: [Float]
    var rows: Int { Self.config.batch * Self.config.context }
    var vocab: Int { Self.config.vocab }

    init(seed: UInt64 = 11) throws {
        let c = Self.config
        let model = try GPT(config: c, seed: seed)
        var rng = Xoshiro256StarStar(seed: seed, stream: 31)
        // non-trivial norms and biases, and a larger head so p_t is far from uniform
        for t in model.layout.tensors where t.shape.count == 1 {
            let p = model.params.base + t.offset
            let isGain = t.name.hasSuffix(".w")
            for i in 0..<t.count { p[i] = Float((isGain ? 1 : 0) + 0.1 * rng.normal()) }
        }
        let wte = model.parameter("wte")!
        for i in 0..<wte.count { wte[i] *= 25 }
        let BT = c.batch * c.context, V = c.vocab
        func batch() -> [Int32] { (0..<BT).map { _ in Int32(rng.next() % UInt64(V)) } }
        let downTokens = batch(), downTargets = batch()
        var t = batch(); t[3] = -1; t[BT - 2] = -1
        let tokens = batch()

        model.zeroGrad()
        downTokens.withUnsafeBufferPointer { model.forward(tokens: $0.baseAddress!, batch: c.batch, time: c.context) }
        downTargets.withUnsafeBufferPointer { _ = model.loss(.tokens($0.baseAddress!)) }
        model.backward()
        let g = model.grads.toArray()
        model.zeroGrad()

        tokens.withUnsafeBufferPointer { model.forward(tokens: $0.baseAddress!, batch: c.batch, time: c.context) }
        let probs = Array(UnsafeBufferPointer(start: model.probabilities, count: BT * V))
        let hidden = Array(UnsafeBufferPointer(start: model.hidden, count: BT * c.dModel))
        let pass = model.makeTangentPass()
        let u = g.withUnsafeBufferPointer { Array(UnsafeBufferPointer(start: pass.tangent(direction: $0.baseAddress!), count: BT * V)) }
        self.model = model; self.tokens = tokens; self.targets = t
        self.probs = probs; self.hidden = hidden; self.g = g; self.u = u
    }

    func makeDesigner(_ config: DesignerConfig, seed: UInt64 = 3) throws -> TaskDesigner {
        try TaskDesigner(config: config, dModel: Self.config.dModel, vocab: vocab, maxRows: rows, seed: seed)
    }

    /// Builds q and mask with `designer` on this fixture's batch.
    func build(_ designer: TaskDesigner) -> (q: [Float], mask: [UInt8]) {
        var q = [Float](repeating: 7, count: rows * vocab), mask = [UInt8](repeating: 7, count: rows)
        designer.buildTargets(q: &q, mask: &mask, probs: probs, hidden: hidden, targets: targets, rows: rows, vocab: vocab)
        return (q, mask)
    }

    func value(_ designer: TaskDesigner) -> Double { _ = build(designer); return designer.value(u: u) }
}

/// Candidate order of the method by an independent sort: the K most probable tokens other than
/// y, decreasing, ties to the lower id.
func referenceTopK(_ p: ArraySlice<Float>, excluding y: Int, _ K: Int) -> [Int] {
    let base = p.startIndex
    return Array((0..<p.count).filter { $0 != y }
        .sorted { p[base + $0] != p[base + $1] ? p[base + $0] > p[base + $1] : $0 < $1 }
        .prefix(K))
}

final class DesignerTests: XCTestCase {
    func testCodingKeysAreTheTrialConfigKeys() {
        let keys = TrialConfigKey.Designer.self
        XCTAssertEqual([DesignerConfig.CodingKeys.massMax, .topK, .hidden, .lr, .entropy].map(\.stringValue),
                       [keys.massMax.key, keys.topK.key, keys.hidden.key, keys.lr.key, keys.entropy.key].map(\.name))
    }

    func testConfigValidationNamesTheField() throws {
        func message(_ c: DesignerConfig) -> String {
            do { try c.validate(); return "" } catch { return "\(error)" }
        }
        XCTAssertEqual(message(DesignerConfig()), "")
        XCTAssertTrue(message(DesignerConfig(hidden: 0)).contains("designer.hidden must be >= 1"), message(DesignerConfig(hidden: 0)))
        XCTAssertTrue(message(DesignerConfig(topK: 0)).contains("designer.top_k must be >= 1"))
        XCTAssertTrue(message(DesignerConfig(massMax: 1.5)).contains("designer.mass_max must be in [0, 1]"))
        XCTAssertTrue(message(DesignerConfig(massMax: -0.1)).contains("designer.mass_max"))
        XCTAssertTrue(message(DesignerConfig(lr: 0)).contains("designer.lr must be a positive number"))
        XCTAssertTrue(message(DesignerConfig(lr: .nan)).contains("designer.lr"))
        XCTAssertTrue(message(DesignerConfig(entropy: -1)).contains("designer.entropy must be >= 0"))
        XCTAssertThrowsError(try TaskDesigner(config: DesignerConfig(topK: 6), dModel: 4, vocab: 6, maxRows: 2, seed: 1)) { e in
            XCTAssertTrue("\(e)".contains("designer.top_k must be < the vocabulary 6"), "\(e)")
        }
    }

    /// Candidates, ranks and log-prob features of one row, by hand: V = 6, K = 2, y = 2,
    /// p = (0.1, 0.4, 0.2, 0.2, 0.05, 0.05). The alternatives by p are 1 (0.4) then 3 (0.2);
    /// y = 2 ties with 3 and precedes it (lower id), so the ranks among {2, 1, 3} are
    /// ρ(y) = 1, ρ(a1 = 1) = 0, ρ(a2 = 3) = 2, each divided by K = 2.
    func testFeaturesByHand() throws {
        let C = 3, V = 6, K = 2
        let d = try TaskDesigner(config: DesignerConfig(massMax: 0.3, topK: K, hidden: 4), dModel: C, vocab: V, maxRows: 2, seed: 1)
        let p: [Float] = [0.1, 0.4, 0.2, 0.2, 0.05, 0.05, 0.1, 0.4, 0.2, 0.2, 0.05, 0.05]
        let h: [Float] = [1, -2, 0.5, 9, 9, 9]
        var q = [Float](repeating: 0, count: 2 * V), mask = [UInt8](repeating: 0, count: 2)
        d.buildTargets(q: &q, mask: &mask, probs: p, hidden: h, targets: [2, -1], rows: 2, vocab: V)
        XCTAssertEqual(mask, [1, 0])
        XCTAssertEqual(d.positions, 1)
        XCTAssertEqual(d.candidates(at: 0), [1, 3])
        let lnV = Foundation.log(6.0)
        let entropy = -[0.1, 0.4, 0.2, 0.2, 0.05, 0.05].map { $0 * Foundation.log($0) }.reduce(0, +)
        let expected: [Double] = [1, -2, 0.5,
                                  Foundation.log(0.2) / lnV, Foundation.log(0.4) / lnV, Foundation.log(0.2) / lnV,
                                  0.5, 0, 1,
                                  entropy / lnV]
        let x = d.features(at: 0)
        XCTAssertEqual(x.count, expected.count)
        for (a, b) in zip(x, expected) { XCTAssertEqual(Double(a), b, accuracy: 1e-6) }
        // q on this row: (1 − m) at y, m·r on the candidates, zero elsewhere
        let m = d.mass(at: 0), r = d.mix(at: 0)
        XCTAssertEqual(q[2], 1 - m)
        XCTAssertEqual(q[1], m * r[0])
        XCTAssertEqual(q[3], m * r[1])
        XCTAssertEqual(q[0] + q[4] + q[5], 0)
        XCTAssertEqual(Array(q[V...]), [Float](repeating: 0, count: V), "masked row stays zero")
    }

    /// (c) Property test over random inputs and random (strongly non-neutral) designers: q sums to 1,
    /// lives on {y} ∪ top-K (by an independent sort), q(y) = 1 − m ≥ 1 − m_max, q ≥ 0, masked rows
    /// are zero with mask 0.
    func testTargetPropertiesOnRandomInputs() throws {
        var rng = Xoshiro256StarStar(seed: 77)
        let V = 64, C = 5, BT = 12
        for trial in 0..<25 {
            let K = 1 + Int(rng.next() % 8), massMax = Double(rng.uniform())
            let d = try TaskDesigner(config: DesignerConfig(massMax: massMax, topK: K, hidden: 1 + Int(rng.next() % 6)),
                                     dModel: C, vocab: V, maxRows: BT + 3, seed: rng.next())
            // large output weights push m to either bound and r to peaked mixes
            let out = d.layout.tensor(named: "designer.out.w")!
            for i in 0..<out.count { d.params[out.offset + i] *= 300 }
            var probs = [Float](repeating: 0, count: BT * V)
            for r in 0..<BT {
                var s: Float = 0
                for v in 0..<V {
                    let e = v % 11 == 0 ? 0.5 : Float(rng.uniform())  // exact ties
                    probs[r * V + v] = e * e * e * e; s += e * e * e * e
                }
                if r == 4 { probs[r * V + 7] = 0 }  // an underflowed probability
                for v in 0..<V { probs[r * V + v] /= s }
            }
            let hidden = (0..<(BT * C)).map { _ in Float(rng.normal()) }
            var y = (0..<BT).map { _ in Int32(rng.next() % UInt64(V)) }
            y[Int(rng.next() % UInt64(BT))] = -1
            var q = [Float](repeating: 5, count: BT * V), mask = [UInt8](repeating: 5, count: BT)
            d.buildTargets(q: &q, mask: &mask, probs: probs, hidden: hidden, targets: y, rows: BT, vocab: V)
            var i = 0
            for r in 0..<BT {
                let row = Array(q[(r * V)..<((r + 1) * V)])
                if y[r] < 0 {
                    XCTAssertEqual(mask[r], 0)
                    XCTAssertEqual(row, [Float](repeating: 0, count: V))
                    continue
                }
                XCTAssertEqual(mask[r], 1)
                let target = Int(y[r])
                let candidates = referenceTopK(probs[(r * V)..<((r + 1) * V)], excluding: target, K)
                XCTAssertEqual(d.candidates(at: i), candidates, "trial \(trial) row \(r)")
                XCTAssertEqual(Double(row.reduce(0, +)), 1, accuracy: 1e-5, "trial \(trial) row \(r)")
                XCTAssertGreaterThanOrEqual(row[target], Float(1 - massMax) - 1e-6)
                XCTAssertLessThanOrEqual(row[target], 1)
                XCTAssertEqual(row[target], 1 - d.mass(at: i))
                for v in 0..<V {
                    XCTAssertGreaterThanOrEqual(row[v], 0)
                    if v != target && !candidates.contains(v) { XCTAssertEqual(row[v], 0, "support, trial \(trial) row \(r)") }
                }
                XCTAssertTrue(d.features(at: i).allSatisfy(\.isFinite))
                i += 1
            }
            XCTAssertEqual(i, d.positions)
        }
    }

    /// With mass_max = 0, q is exactly one-hot whatever φ is, and ∇φV is exactly zero: the isolation
    /// the runner relies on (a vpt arm with m_max = 0 trains like the baseline).
    func testZeroMassIsExactlyOneHot() throws {
        let f = try DesignerFixture()
        let d = try f.makeDesigner(DesignerConfig(massMax: 0, topK: 5, hidden: 6))
        for i in 0..<d.params.count { d.params[i] *= 50 }
        let (q, mask) = f.build(d)
        for r in 0..<f.rows {
            let row = Array(q[(r * f.vocab)..<((r + 1) * f.vocab)])
            guard f.targets[r] >= 0 else { XCTAssertEqual(mask[r], 0); continue }
            var expected = [Float](repeating: 0, count: f.vocab)
            expected[Int(f.targets[r])] = 1
            XCTAssertEqual(row.map(\.bitPattern), expected.map(\.bitPattern), "row \(r)")
        }
        let before = d.params.toArray()
        let step = f.u.withUnsafeBufferPointer { d.ascend(u: $0.baseAddress!) }
        XCTAssertEqual(step.gradNorm, 0)
        XCTAssertEqual(d.grads.toArray().filter { $0 != 0 }.count, 0)
        XCTAssertEqual(d.params.toArray(), before, "a zero gradient leaves φ unchanged under Adam")
    }

    /// V from the designer equals the explicit g_downᵀ g_pre with g_pre = ∇θ (1/N)Σ CE(q_t, p_t)
    /// from the learner's own backward pass (docs/vpretraining.md, step 4).
    func testValueEqualsExplicitDotProduct() throws {
        let f = try DesignerFixture()
        let d = try f.makeDesigner(DesignerConfig(massMax: 0.5, topK: 4, hidden: 8))
        for i in 0..<d.params.count { d.params[i] *= 5 }
        let (q, mask) = f.build(d)
        let v = f.u.withUnsafeBufferPointer { d.value(u: $0.baseAddress!) }
        f.model.zeroGrad()
        q.withUnsafeBufferPointer { qp in mask.withUnsafeBufferPointer { mp in
            _ = f.model.loss(.distribution(qp.baseAddress!, mask: mp.baseAddress!))
        } }
        f.model.backward()
        var explicit: Double = 0
        for i in 0..<f.g.count { explicit += Double(f.g[i]) * Double(f.model.grads[i]) }
        print("designer V \(v), explicit g_down·g_pre \(explicit), relative difference \(abs(v - explicit) / abs(explicit))")
        XCTAssertNotEqual(explicit, 0)
        XCTAssertEqual(v, explicit, accuracy: 1e-4 * abs(explicit))
    }

    /// (e) Ascent steps with a small lr increase V on a fixed batch and a fixed u.
    func testAscentIncreasesValue() throws {
        let f = try DesignerFixture()
        let d = try f.makeDesigner(DesignerConfig(massMax: 0.4, topK: 4, hidden: 16, lr: 1e-3))
        var previous = f.value(d)
        let start = previous
        for step in 0..<5 {
            _ = f.build(d)
            let result = f.u.withUnsafeBufferPointer { d.ascend(u: $0.baseAddress!) }
            XCTAssertEqual(result.value, previous, accuracy: 1e-12 * max(1, abs(previous)), "ascend returns V before the step")
            XCTAssertGreaterThan(result.gradNorm, 0)
            let now = f.value(d)
            XCTAssertGreaterThan(now, previous, "step \(step)")
            previous = now
        }
        XCTAssertEqual(d.updates, 5)
        print("designer ascent: V \(start) → \(previous) after 5 steps")
    }

    /// (f) The random_feedback direction has ‖g‖, is not g, and is a deterministic function of the seed.
    func testRandomDirection() throws {
        let f = try DesignerFixture()
        let n = f.g.count
        func draw(_ seed: UInt64) -> [Float] {
            var rng = Xoshiro256StarStar(seed: seed, stream: 4)
            var out = [Float](repeating: 0, count: n)
            RandomFeedback.direction(&out, matchingNormOf: f.g, count: n, rng: &rng)
            return out
        }
        func norm(_ x: [Float]) -> Double { x.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot() }
        let a = draw(1), b = draw(1), c = draw(2)
        XCTAssertGreaterThan(norm(f.g), 0)
        XCTAssertEqual(norm(a), norm(f.g), accuracy: 1e-5 * norm(f.g))
        XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "same seed, same direction")
        XCTAssertNotEqual(a, c, "another seed, another direction")
        var dot: Double = 0
        for i in 0..<n { dot += Double(a[i]) * Double(f.g[i]) }
        let cosine = dot / (norm(a) * norm(f.g))
        XCTAssertLessThan(abs(cosine), 0.2, "a random direction is nearly orthogonal to g (n = \(n))")
        // successive draws from one generator differ
        var rng = Xoshiro256StarStar(seed: 1, stream: 4)
        var first = [Float](repeating: 0, count: n), second = first
        RandomFeedback.direction(&first, matchingNormOf: f.g, count: n, rng: &rng)
        RandomFeedback.direction(&second, matchingNormOf: f.g, count: n, rng: &rng)
        XCTAssertEqual(first, a)
        XCTAssertNotEqual(first, second)
        // a zero g gives a zero direction
        var zero = [Float](repeating: 1, count: 10)
        RandomFeedback.direction(&zero, matchingNormOf: [Float](repeating: 0, count: 10), count: 10, rng: &rng)
        XCTAssertEqual(zero, [Float](repeating: 0, count: 10))
    }

    /// Saved state restores into a designer built with another seed, and both then step identically.
    func testCheckpointRoundTrip() throws {
        let f = try DesignerFixture()
        let config = DesignerConfig(massMax: 0.3, topK: 3, hidden: 8, lr: 1e-2, entropy: 0.01)
        let a = try f.makeDesigner(config, seed: 1), b = try f.makeDesigner(config, seed: 2)
        for _ in 0..<2 { _ = f.build(a); _ = f.u.withUnsafeBufferPointer { a.ascend(u: $0.baseAddress!) } }
        let tensors = a.checkpointTensors()
        XCTAssertEqual(tensors.map(\.name), ["designer.fc.w", "designer.fc.b", "designer.out.w", "designer.out.b",
                                             "designer.adam.m", "designer.adam.v"])
        XCTAssertEqual(tensors[0].shape, [8, 16 + 2 * 4 + 1])
        try b.restore(tensors: tensors, meta: a.checkpointMeta)
        XCTAssertEqual(b.updates, 2)
        XCTAssertEqual(b.params.toArray(), a.params.toArray())
        XCTAssertEqual(b.adamM.toArray(), a.adamM.toArray())
        XCTAssertEqual(b.adamV.toArray(), a.adamV.toArray())
        for d in [a, b] { _ = f.build(d); _ = f.u.withUnsafeBufferPointer { d.ascend(u: $0.baseAddress!) } }
        XCTAssertEqual(b.params.toArray().map(\.bitPattern), a.params.toArray().map(\.bitPattern))

        let before = b.params.toArray()
        XCTAssertThrowsError(try b.restore(tensors: Array(tensors.dropLast()), meta: a.checkpointMeta)) { e in
            XCTAssertTrue("\(e)".contains("designer.adam.v"), "\(e)")
        }
        var wrong = tensors
        wrong[2] = NamedTensor(name: "designer.out.w", shape: [3, 8], values: [Float](repeating: 0, count: 24))
        XCTAssertThrowsError(try b.restore(tensors: wrong, meta: a.checkpointMeta)) { e in
            XCTAssertTrue("\(e)".contains("\"designer.out.w\" has shape [3, 8] but [4, 8]"), "\(e)")
        }
        XCTAssertThrowsError(try b.restore(tensors: tensors, meta: [:])) { e in
            XCTAssertTrue("\(e)".contains("designer.updates"), "\(e)")
        }
        XCTAssertEqual(b.params.toArray(), before, "a failed restore changes nothing")
    }

    /// All rows masked: no positions, V = 0, no step.
    func testAllMaskedBatch() throws {
        let f = try DesignerFixture()
        let d = try f.makeDesigner(DesignerConfig())
        var q = [Float](repeating: 3, count: f.rows * f.vocab), mask = [UInt8](repeating: 3, count: f.rows)
        let y = [Int32](repeating: -1, count: f.rows)
        d.buildTargets(q: &q, mask: &mask, probs: f.probs, hidden: f.hidden, targets: y, rows: f.rows, vocab: f.vocab)
        XCTAssertEqual(d.positions, 0)
        XCTAssertTrue(q.allSatisfy { $0 == 0 } && mask.allSatisfy { $0 == 0 })
        let before = d.params.toArray()
        let step = f.u.withUnsafeBufferPointer { d.ascend(u: $0.baseAddress!) }
        XCTAssertEqual(step.value, 0)
        XCTAssertEqual(d.updates, 0)
        XCTAssertEqual(d.params.toArray(), before)
    }
}
