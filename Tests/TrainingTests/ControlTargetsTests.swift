import XCTest
import Learner
import TrialProtocol
@testable import Training

final class ControlTargetsTests: XCTestCase {
    /// Property test over random distributions: q sums to 1, lives on {y} ∪ top-K,
    /// q(y) = 1 − m, and each control has its own shape on the candidates.
    func testPropertiesOnRandomInputs() {
        var rng = Xoshiro256StarStar(seed: 42)
        let V = 256, BT = 24
        for trial in 0..<20 {
            let K = 1 + Int(rng.next() % 12), m = Float(rng.uniform()) * 0.6
            var probs = [Float](repeating: 0, count: BT * V)
            for r in 0..<BT {
                var s: Float = 0
                for v in 0..<V {
                    // a few exact ties to exercise the tie rule
                    let e = v % 17 == 0 ? 0.5 : Float(rng.uniform())
                    probs[r * V + v] = e * e * e; s += e * e * e
                }
                for v in 0..<V { probs[r * V + v] /= s }
            }
            var y = (0..<BT).map { _ in Int32(rng.next() % UInt64(V)) }
            y[5] = -1
            for kind in [ControlTargets.Kind.uniformTopK, .selfDistill] {
                var q = [Float](repeating: 9, count: BT * V), mask = [UInt8](repeating: 9, count: BT)
                var scratch = [Int](repeating: 0, count: K)
                ControlTargets.build(kind, q: &q, mask: &mask, probs: probs, targets: y, rows: BT, vocab: V, k: K, mass: m,
                                     scratch: &scratch)
                for r in 0..<BT {
                    let row = Array(q[(r * V)..<((r + 1) * V)])
                    if y[r] < 0 { XCTAssertEqual(mask[r], 0); continue }
                    XCTAssertEqual(mask[r], 1)
                    let target = Int(y[r])
                    XCTAssertEqual(Double(row.reduce(0, +)), 1, accuracy: 1e-5, "trial \(trial) row \(r)")
                    XCTAssertEqual(row[target], 1 - m, "q(y) = 1 − m")
                    // the K most probable alternatives, by an independent sort (ties: lower id first)
                    let alternatives = (0..<V).filter { $0 != target }
                        .sorted { probs[r * V + $0] != probs[r * V + $1] ? probs[r * V + $0] > probs[r * V + $1] : $0 < $1 }
                    let candidates = Set(alternatives.prefix(K))
                    for v in 0..<V where v != target && !candidates.contains(v) { XCTAssertEqual(row[v], 0, "support") }
                    if m > 0 {
                        let mass = candidates.map { Double(row[$0]) }.reduce(0, +)
                        XCTAssertEqual(mass, Double(m), accuracy: 1e-5)
                        if kind == .uniformTopK {
                            for v in candidates { XCTAssertEqual(row[v], m / Float(K), accuracy: 1e-7) }
                        } else {
                            let total = candidates.map { probs[r * V + $0] }.reduce(0, +)
                            for v in candidates { XCTAssertEqual(row[v], m * probs[r * V + v] / total, accuracy: 1e-6) }
                        }
                    }
                }
            }
        }
    }

    /// With mass_max = 0 the control arms train exactly like the baseline, bit for bit.
    func testZeroMassControlsEqualBaseline() throws {
        func finalParams(_ arm: String) throws -> [UInt32] {
            let config = try Fixture.config(Fixture.yaml(), overrides: ["arm=\(arm)", "designer.mass_max=0", "report.val_examples=0",
                                                                         "eval.final_val_examples=0", "eval.test_examples=0"])
            let output = TrialOutput(events: FileHandle(forWritingAtPath: "/dev/null")!, logs: FileHandle(forWritingAtPath: "/dev/null")!)
            let runner = try TrialRunner(config: config, output: output)
            try runner.run()
            return runner.model.params.toArray().map(\.bitPattern)
        }
        let base = try finalParams("baseline")
        XCTAssertEqual(try finalParams("uniform_topk"), base)
        XCTAssertEqual(try finalParams("self_distill"), base)
    }

    func testDesignerSettingsValidation() throws {
        let a = try Fixture.config(Fixture.yaml(), overrides: ["arm=uniform_topk", "designer.mass_max=0.3"])
        XCTAssertEqual(a.effective["designer"]?["mass_max"], .number(0.3))
        XCTAssertEqual(try Fixture.config(Fixture.yaml(), overrides: ["arm=vpt"]).arm, .vpt)
        XCTAssertThrowsError(try Fixture.config(Fixture.yaml(), overrides: ["designer.hidden=0"])) { e in
            XCTAssertTrue("\(e)".contains("designer.hidden: must be >= 1"), "\(e)")
        }
        XCTAssertThrowsError(try Fixture.config(Fixture.yaml(), overrides: ["align.params=middle"])) { e in
            XCTAssertTrue("\(e)".contains("align.params: must be one of: all, last_block, head"), "\(e)")
        }
        XCTAssertThrowsError(try Fixture.config(Fixture.yaml(), overrides: ["designer.top_k=0"])) { e in
            XCTAssertTrue("\(e)".contains("designer.top_k: must be in 1...255"), "\(e)")
        }
    }
}
