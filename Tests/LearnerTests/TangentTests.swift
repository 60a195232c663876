import XCTest
import Foundation
import Kernels
@testable import Learner

/// The exact tangent pass (u = J·v, the logits' derivative along a parameter direction v)
/// against central finite differences of an independent naive float64 forward, plus the
/// properties V-pretraining relies on (docs/vpretraining.md, step 4).
///
/// Errors are relative to max |dz| over the whole (B·T, V) tangent; the float32 tangent is
/// compared with the float64 derivative at the same float32 parameters (h = 1e-4 along a
/// unit-norm direction: truncation ≈ 1e-8, rounding ≈ 1e-12). Tolerance 1e-5 (the
/// V identity: 1e-4 relative); measured
/// worst errors are printed.
final class TangentTests: XCTestCase {
    let V = tinyConfig.vocab

    /// A unit-norm random direction over the parameters of `subset` (zero elsewhere).
    func direction(_ model: GPT, seed: UInt64, subset: AlignParameters = .all) -> [Float] {
        var rng = Xoshiro256StarStar(seed: seed, stream: 77)
        var v = (0..<model.layout.count).map { _ in Float(rng.normal()) }
        v.withUnsafeMutableBufferPointer { model.restrict(direction: $0.baseAddress!, to: subset) }
        let norm = v.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        return v.map { Float(Double($0) / norm) }
    }

    func tangent(_ pass: TangentPass, _ v: [Float], headOnly: Bool = false) -> [Float] {
        let BT = pass.model.batch * pass.model.time
        let p = v.withUnsafeBufferPointer { pass.tangent(direction: $0.baseAddress!, headOnly: headOnly) }
        return Array(UnsafeBufferPointer(start: p, count: BT * V))
    }

    func tangent(_ pass: TangentPass, _ v: [Float], restrictedTo subset: AlignParameters) -> [Float] {
        let BT = pass.model.batch * pass.model.time
        let p = v.withUnsafeBufferPointer { pass.tangent(direction: $0.baseAddress!, restrictedTo: subset) }
        return Array(UnsafeBufferPointer(start: p, count: BT * V))
    }

    func forward(_ model: GPT, _ tokens: [Int32], B: Int, T: Int) {
        tokens.withUnsafeBufferPointer { model.forward(tokens: $0.baseAddress!, batch: B, time: T) }
    }

    /// max |a − b| / max |b|.
    func relativeError(_ a: [Float], _ b: [Double]) -> Double {
        let scale = b.map(abs).max()!
        return zip(a, b).map { abs(Double($0) - $1) }.max()! / scale
    }

    /// Central difference in float64 of the naive logits along v; `headOnly` moves only the head copy of wte.
    func naiveDerivative(_ model: GPT, _ v: [Float], tokens: [Int32], B: Int, T: Int, headOnly: Bool = false) -> [Double] {
        let naive = NaiveForward64(config: model.config, layout: model.layout)
        let theta = model.params.toArray().map(Double.init)
        let wte = model.layout.tensor(named: "wte")!
        let h = 1e-4
        func logits(_ sign: Double) -> [Double] {
            var p = theta
            if headOnly {
                var head = Array(theta[wte.offset..<(wte.offset + wte.count)])
                for i in 0..<wte.count { head[i] += sign * h * Double(v[wte.offset + i]) }
                return naive.logits(params: p, tokens: tokens, B: B, T: T, head: head)
            }
            for i in 0..<p.count { p[i] += sign * h * Double(v[i]) }
            return naive.logits(params: p, tokens: tokens, B: B, T: T, head: nil)
        }
        return zip(logits(1), logits(-1)).map { ($0 - $1) / (2 * h) }
    }

    // MARK: 2. whole model vs float64 finite differences

    func checkModel(_ name: String, B: Int, T: Int, subset: AlignParameters, headOnly: Bool, seed: UInt64,
                    config: GPTConfig = tinyConfig) throws {
        let model = try makeTinyModel(config: config)
        let pass = model.makeTangentPass()
        let tokens = Array(Batch(B: config.batch, T: config.context, seed: seed).tokens.prefix(B * T))
        forward(model, tokens, B: B, T: T)
        // The full random direction; the pass reads only `subset` of it.
        let full = direction(model, seed: seed)
        var restricted = full
        restricted.withUnsafeMutableBufferPointer { model.restrict(direction: $0.baseAddress!, to: subset) }
        let u = tangent(pass, full, restrictedTo: subset)
        let uRestricted = tangent(pass, restricted, headOnly: headOnly)
        if subset.headOnly == headOnly {
            XCTAssertEqual(u, uRestricted, "\(name): restrictedTo must equal the tangent of the restricted direction")
        }
        let expected = naiveDerivative(model, restricted, tokens: tokens, B: B, T: T, headOnly: headOnly)
        let err = relativeError(uRestricted, expected)
        print(String(format: "tangent vs float64 FD, %@: worst error %.2e of max |dz| %.3g (tolerance 1e-5)",
                     name as NSString, err, expected.map(abs).max()!))
        XCTAssertGreaterThan(expected.map(abs).max()!, 1e-3, "\(name): derivative too small for a meaningful check")
        XCTAssertLessThan(err, 1e-5, name)
    }

    func testAllParametersMatchFloat64FiniteDifferences() throws {
        try checkModel("all parameters", B: 2, T: 8, subset: .all, headOnly: false, seed: 21)
        // A shorter call (B, T) < (batch, context) exercises the packed activation rows.
        try checkModel("all parameters, B 1 T 5", B: 1, T: 5, subset: .all, headOnly: false, seed: 22)
    }

    /// Enough rows (B·T = 128) that the row-parallel kernels (LayerNorm, GELU, softmax) split
    /// across threads, and four heads.
    func testWiderModelWithParallelRowsMatchesFloat64FiniteDifferences() throws {
        let config = GPTConfig(dModel: 32, nLayer: 2, nHead: 4, context: 32, batch: 4)
        try checkModel("all parameters, C 32 NH 4 B 4 T 32", B: 4, T: 32, subset: .all, headOnly: false, seed: 27,
                       config: config)
    }

    func testLastBlockMatchesFloat64FiniteDifferences() throws {
        try checkModel("last block + lnf", B: 2, T: 8, subset: .lastBlock, headOnly: false, seed: 23)
    }

    func testHeadOnlyMatchesFloat64FiniteDifferences() throws {
        try checkModel("wte as the head only", B: 2, T: 8, subset: .head, headOnly: true, seed: 24)
        try checkModel("wte in embedding and head", B: 2, T: 8, subset: .head, headOnly: false, seed: 25)
    }

    /// The pure head restriction is u_t = h_t·dwteᵀ (hand formula, no other path moves).
    func testHeadOnlyIsFinalHiddenTimesDirection() throws {
        let model = try makeTinyModel()
        let pass = model.makeTangentPass()
        let B = 2, T = 8, C = tinyConfig.dModel
        forward(model, Batch(B: B, T: T, seed: 26).tokens, B: B, T: T)
        let v = direction(model, seed: 26, subset: .head)
        let u = tangent(pass, v, restrictedTo: .head)
        let wte = model.layout.tensor(named: "wte")!
        for r in 0..<(B * T) {
            for k in 0..<V {
                var s = 0.0
                for i in 0..<C { s += Double(model.hidden[r * C + i]) * Double(v[wte.offset + k * C + i]) }
                XCTAssertEqual(Double(u[r * V + k]), s, accuracy: 1e-6)
            }
        }
    }

    // MARK: the head shortcut of g_down

    /// `gradient(restrictedTo: .head)` (one matmul, no backward through the blocks) is ∂L/∂W_head of
    /// the tied head alone: its inner product with a head direction matches the float64 central
    /// difference of the naive loss when only the head copy of wte moves.
    func testHeadGradientMatchesFloat64FiniteDifferencesOfTheHeadAlone() throws {
        let model = try makeTinyModel()
        let B = tinyConfig.batch, T = tinyConfig.context
        let batch = Batch(B: B, T: T, seed: 71)
        _ = model.lossOn(batch, soft: false)
        var g = [Float](repeating: .nan, count: model.layout.count)
        g.withUnsafeMutableBufferPointer { model.gradient(restrictedTo: .head, into: $0.baseAddress!) }
        let wte = model.layout.tensor(named: "wte")!
        XCTAssertTrue(g[..<wte.offset].allSatisfy { $0 == 0 } && g[(wte.offset + wte.count)...].allSatisfy { $0 == 0 },
                      "zero outside wte")
        XCTAssertTrue(model.grads.toArray().allSatisfy { $0 == 0 }, "the learner's gradients stay zero")

        let v = direction(model, seed: 72, subset: .head)
        let analytic = zip(g, v).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let naive = NaiveForward64(config: model.config, layout: model.layout)
        let theta = model.params.toArray().map(Double.init)
        let h = 1e-4
        func loss(_ sign: Double) -> Double {
            let head = (0..<wte.count).map { theta[wte.offset + $0] + sign * h * Double(v[wte.offset + $0]) }
            let z = naive.logits(params: theta, tokens: batch.tokens, B: B, T: T, head: head)
            var total = 0.0, n = 0
            for r in 0..<(B * T) where batch.nextTokens[r] >= 0 {
                let row = z[(r * V)..<((r + 1) * V)], mx = row.max()!
                total += mx + Foundation.log(row.map { Foundation.exp($0 - mx) }.reduce(0, +)) - row[r * V + Int(batch.nextTokens[r])]
                n += 1
            }
            return total / Double(n)
        }
        let fd = (loss(1) - loss(-1)) / (2 * h)
        let err = abs(analytic - fd) / abs(fd)
        print(String(format: "head gradient · v = %.8e, float64 FD %.8e, relative error %.2e (tolerance 1e-4)", analytic, fd, err))
        XCTAssertGreaterThan(abs(fd), 1e-3, "derivative too small for a relative check")
        XCTAssertLessThan(err, 1e-4)
    }

    /// The shortcut against the general path: the full backward's wte gradient is the head part
    /// plus the embedding lookup's rows, so on the rows of tokens absent from the input it is the
    /// head gradient bit for bit (same matmul, same split), and on present tokens it differs.
    func testHeadGradientIsTheFullGradientWithoutTheEmbeddingRows() throws {
        let model = try makeTinyModel()
        let B = tinyConfig.batch, T = tinyConfig.context, C = tinyConfig.dModel
        let batch = Batch(B: B, T: T, seed: 73)
        _ = model.lossOn(batch, soft: false)
        var head = [Float](repeating: 0, count: model.layout.count), full = head
        head.withUnsafeMutableBufferPointer { model.gradient(restrictedTo: .head, into: $0.baseAddress!) }
        full.withUnsafeMutableBufferPointer { model.gradient(restrictedTo: .all, into: $0.baseAddress!) }
        model.zeroGrad()
        model.backward()
        XCTAssertEqual(full.map(\.bitPattern), model.grads.toArray().map(\.bitPattern), ".all is the full backward")
        let present = Set(batch.tokens.map(Int.init))
        XCTAssertLessThan(present.count, V, "some tokens must be absent for the check to bite")
        let wte = model.layout.tensor(named: "wte")!
        for k in 0..<V {
            let rows = (wte.offset + k * C)..<(wte.offset + (k + 1) * C)
            if present.contains(k) {
                XCTAssertNotEqual(Array(head[rows]), Array(full[rows]), "token \(k) is looked up: the embedding adds to its row")
            } else {
                XCTAssertEqual(head[rows].map(\.bitPattern), full[rows].map(\.bitPattern), "token \(k)")
            }
        }
    }

    /// The V identity within the head restriction, both sides from the shortcuts: g_down and g_pre
    /// from `gradient(restrictedTo: .head)`, u from the tangent restricted to the head.
    func testValueIdentityForTheHeadRestriction() throws {
        let model = try makeTinyModel()
        let pass = model.makeTangentPass()
        let B = tinyConfig.batch, T = tinyConfig.context, BT = B * T
        var gDown = [Float](repeating: 0, count: model.layout.count), gPre = gDown
        _ = model.lossOn(Batch(B: B, T: T, seed: 74), soft: false)
        gDown.withUnsafeMutableBufferPointer { model.gradient(restrictedTo: .head, into: $0.baseAddress!) }
        let batch = Batch(B: B, T: T, seed: 75)
        _ = model.lossOn(batch, soft: true)
        gPre.withUnsafeMutableBufferPointer { model.gradient(restrictedTo: .head, into: $0.baseAddress!) }
        let explicit = zip(gDown, gPre).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let u = tangent(pass, gDown, restrictedTo: .head)
        var value = 0.0
        for r in 0..<BT where batch.mask[r] != 0 {
            for k in 0..<V { value += Double(u[r * V + k]) * Double(model.probabilities[r * V + k] - batch.q[r * V + k]) }
        }
        value /= Double(batch.mask.filter { $0 != 0 }.count)
        let err = abs(value - explicit) / max(abs(value), abs(explicit))
        print(String(format: "V identity (head): u·(p − q)/N = %.8e, g_headᵀ∇_head L = %.8e, relative error %.2e (tolerance 1e-4)",
                     value, explicit, err))
        XCTAssertGreaterThan(abs(explicit), 1e-6)
        XCTAssertLessThan(err, 1e-4)
    }

    // MARK: 3. linearity

    func testTangentIsLinearInTheDirection() throws {
        let model = try makeTinyModel()
        let pass = model.makeTangentPass()
        forward(model, Batch(B: 2, T: 8, seed: 31).tokens, B: 2, T: 8)
        let v1 = direction(model, seed: 32), v2 = direction(model, seed: 33)
        let a: Float = 0.7, b: Float = -1.9
        let combined = zip(v1, v2).map { a * $0 + b * $1 }
        let u1 = tangent(pass, v1), u2 = tangent(pass, v2), u = tangent(pass, combined)
        let expected = zip(u1, u2).map { Double(a * $0 + b * $1) }
        let err = relativeError(u, expected)
        print(String(format: "tangent linearity: worst error %.2e (tolerance 1e-5)", err))
        XCTAssertLessThan(err, 1e-5)

        let zero = [Float](repeating: 0, count: model.layout.count)
        XCTAssertEqual(tangent(pass, zero), [Float](repeating: 0, count: 16 * V), "zero direction, zero tangent")
    }

    // MARK: 4. the identity of V-pretraining

    /// gᵀ∇θL (explicit, through `backward`) = (1/N) Σ_t u_tᵀ(p_t − q_t) with u = J·g, for the soft
    /// targets of `Batch`: the downstream gradient of another batch as g, and a random g.
    func testValueIdentityMatchesExplicitGradientDotProduct() throws {
        let model = try makeTinyModel()
        let pass = model.makeTangentPass()
        let B = tinyConfig.batch, T = tinyConfig.context, BT = B * T
        // g_down: the one-hot gradient on a different "feedback" batch.
        let feedback = Batch(B: B, T: T, seed: 41)
        model.zeroGrad()
        _ = model.lossOn(feedback, soft: false)
        model.backward()
        let gDown = model.grads.toArray()

        let batch = Batch(B: B, T: T, seed: 42)
        model.zeroGrad()
        _ = model.lossOn(batch, soft: true)
        model.backward()
        let gPre = model.grads.toArray()
        let n = Double(batch.mask.filter { $0 != 0 }.count)

        for (name, g) in [("g_down", gDown), ("random g", direction(model, seed: 43))] {
            let explicit = zip(g, gPre).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let u = tangent(pass, g)
            var value = 0.0
            for r in 0..<BT where batch.mask[r] != 0 {
                for k in 0..<V {
                    value += Double(u[r * V + k]) * Double(model.probabilities[r * V + k] - batch.q[r * V + k])
                }
            }
            value /= n
            let err = abs(value - explicit) / max(abs(value), abs(explicit))
            print(String(format: "V identity (%@): u·(p − q)/N = %.8e, gᵀ∇L = %.8e, relative error %.2e (tolerance 1e-4)",
                         name as NSString, value, explicit, err))
            XCTAssertGreaterThan(abs(explicit), 1e-6, "\(name): value too small for a relative check")
            XCTAssertLessThan(err, 1e-4, name)
        }
    }

    // MARK: 5. the model's state is untouched

    func testTangentLeavesActivationsAndParametersBitwiseUnchanged() throws {
        let model = try makeTinyModel()
        let pass = model.makeTangentPass()
        _ = model.lossOn(Batch(B: 2, T: 8, seed: 51), soft: true)
        let acts = model.acts.toArray(), params = model.params.toArray(), dlogits = Array(
            UnsafeBufferPointer(start: model.logitGradient, count: 16 * V))
        let v = direction(model, seed: 52)
        _ = tangent(pass, v)
        _ = tangent(pass, v, headOnly: true)
        for subset in AlignParameters.allCases { _ = tangent(pass, v, restrictedTo: subset) }
        XCTAssertEqual(model.acts.toArray().map(\.bitPattern), acts.map(\.bitPattern), "activations changed")
        XCTAssertEqual(model.params.toArray().map(\.bitPattern), params.map(\.bitPattern), "parameters changed")
        XCTAssertEqual(Array(UnsafeBufferPointer(start: model.logitGradient, count: 16 * V)).map(\.bitPattern),
                       dlogits.map(\.bitPattern), "logit gradient changed")
        model.backward()  // the pending loss is still valid
    }

    // MARK: the finite-difference alternative

    func testFiniteDifferenceAlternativeAgreesAndRestoresTheModel() throws {
        let model = try makeTinyModel()
        let pass = model.makeTangentPass()
        forward(model, Batch(B: 2, T: 8, seed: 61).tokens, B: 2, T: 8)
        let logits = Array(UnsafeBufferPointer(start: model.logits, count: 16 * V))
        let acts = model.acts.toArray(), params = model.params.toArray()
        let v = direction(model, seed: 62)
        let u = tangent(pass, v)
        let fdPointer = v.withUnsafeBufferPointer { pass.logitsFiniteDifference(direction: $0.baseAddress!, epsilon: 1e-2) }
        let fd = Array(UnsafeBufferPointer(start: fdPointer, count: 16 * V))
        let err = relativeError(fd, u.map(Double.init))
        print(String(format: "float32 central FD (ε 1e-2, unit direction) vs exact tangent: worst error %.2e (tolerance 1e-2)", err))
        XCTAssertLessThan(err, 1e-2)
        XCTAssertEqual(model.params.toArray().map(\.bitPattern), params.map(\.bitPattern), "parameters not restored")
        XCTAssertEqual(Array(UnsafeBufferPointer(start: model.logits, count: 16 * V)).map(\.bitPattern),
                       logits.map(\.bitPattern), "logits not restored")
        XCTAssertEqual(model.acts.toArray().map(\.bitPattern), acts.map(\.bitPattern), "activations not restored")
        XCTAssertEqual(tangent(pass, v), u, "the tangent is unaffected by a finite difference in between")
    }

    // MARK: align.params

    func testAlignParametersMembership() {
        let cases: [(String, all: Bool, lastBlock: Bool, head: Bool)] = [
            ("wte", true, false, true), ("wpe", true, false, false),
            ("h0.ln1.w", true, false, false), ("h0.mlp.proj.b", true, false, false),
            ("h1.ln1.w", true, true, false), ("h1.attn.qkv.w", true, true, false), ("h1.mlp.proj.b", true, true, false),
            ("lnf.w", true, true, false), ("lnf.b", true, true, false),
        ]
        for c in cases {
            XCTAssertEqual(AlignParameters.all.contains(c.0, nLayer: 2), c.all, c.0)
            XCTAssertEqual(AlignParameters.lastBlock.contains(c.0, nLayer: 2), c.lastBlock, c.0)
            XCTAssertEqual(AlignParameters.head.contains(c.0, nLayer: 2), c.head, c.0)
        }
        XCTAssertFalse(AlignParameters.lastBlock.contains("h1.ln1.w", nLayer: 3), "h1 is not the last of 3 blocks")
        XCTAssertEqual(AlignParameters(rawValue: "last_block"), .lastBlock)
        XCTAssertTrue(AlignParameters.head.headOnly)
        XCTAssertFalse(AlignParameters.all.headOnly)
    }

    func testRestrictZeroesExactlyTheTensorsOutsideTheSubset() throws {
        let model = try makeTinyModel()
        for subset in AlignParameters.allCases {
            var v = [Float](repeating: 1, count: model.layout.count)
            v.withUnsafeMutableBufferPointer { model.restrict(direction: $0.baseAddress!, to: subset) }
            for t in model.layout.tensors {
                let kept = subset.contains(t.name, nLayer: tinyConfig.nLayer)
                XCTAssertEqual(v[t.offset..<(t.offset + t.count)].allSatisfy { $0 == (kept ? 1 : 0) }, true,
                               "\(subset) \(t.name)")
            }
        }
    }
}
