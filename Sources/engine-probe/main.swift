// engine-probe: one V-pretraining step's numbers from the built-in engine, as JSON, for the
// cross-engine test of the PyTorch engine (Tests/TorchEngineTests/test_cross_engine.py).
//
//   engine-probe INPUT.json > OUTPUT.json
//
// INPUT: {"base": checkpoint path, "tokens": [[Int]] (B, T), "targets": [[Int]] (B, T),
//         "feedback_tokens": [[Int]] (Bf, Tf), "feedback_targets": [[Int]] (−1 = not counted),
//         "designer": {"mass_max", "top_k", "hidden", "entropy", "seed"}, "align": "all" | "last_block" | "head"}
// OUTPUT: {"g_down": [P] (model layout), "loss_onehot", "loss_q": the learner's loss on q, "q": [B·T·V],
//          "u": [B·T·V], "value": V, "designer_params": [P_φ], "designer_grad": [P_φ] (∇φ J, J = V + λ·mean H(r)),
//          "designer_layout": [[name, [shape]]], "param_layout": [[name, [shape]]]}
// Floats are written with 9 significant digits (float32 round-trips).
import Foundation
import Kernels
import Learner
import Training

struct DesignerInput: Decodable { var mass_max: Double; var top_k: Int; var hidden: Int; var entropy: Double; var seed: UInt64 }
struct Input: Decodable {
    var base: String
    var tokens: [[Int32]]
    var targets: [[Int32]]
    var feedback_tokens: [[Int32]]
    var feedback_targets: [[Int32]]
    var designer: DesignerInput
    var align: String
}

func fail(_ message: String) -> Never {
    try? FileHandle.standardError.write(contentsOf: Data(("engine-probe: " + message + "\n").utf8))
    exit(1)
}

func numbers(_ p: UnsafePointer<Float>, _ n: Int) -> String {
    "[" + (0..<n).map { String(format: "%.9g", Double(p[$0])) }.joined(separator: ",") + "]"
}

guard CommandLine.arguments.count == 2 else { fail("usage: engine-probe INPUT.json") }
let input: Input
do {
    input = try JSONDecoder().decode(Input.self, from: Data(contentsOf: URL(fileURLWithPath: CommandLine.arguments[1])))
} catch { fail("cannot read \(CommandLine.arguments[1]): \(error)") }
guard let subset = AlignParameters(rawValue: input.align) else { fail("align must be all, last_block or head") }

do {
    var config = try GPT.checkpointConfig(at: input.base).config
    let B = input.tokens.count, T = input.tokens.first?.count ?? 0
    let Bf = input.feedback_tokens.count, Tf = input.feedback_tokens.first?.count ?? 0
    config.batch = max(B, Bf)
    let model = try GPT(config: config, seed: 0)
    try model.loadCheckpoint(from: input.base)
    let V = config.vocab

    // g_down on the feedback batch
    let direction = FloatBuffer(count: model.layout.count)
    let fx = input.feedback_tokens.flatMap { $0 }, fy = input.feedback_targets.flatMap { $0 }
    fx.withUnsafeBufferPointer { model.forward(tokens: $0.baseAddress!, batch: Bf, time: Tf) }
    fy.withUnsafeBufferPointer { _ = model.loss(.tokens($0.baseAddress!)) }
    model.gradient(restrictedTo: subset, into: direction.base)

    // the unlabeled batch: designer targets, learner loss on q, u, V and ∇φ J
    let x = input.tokens.flatMap { $0 }, y = input.targets.flatMap { $0 }
    x.withUnsafeBufferPointer { model.forward(tokens: $0.baseAddress!, batch: B, time: T) }
    let lossOneHot = y.withUnsafeBufferPointer { model.loss(.tokens($0.baseAddress!)) }
    let d = input.designer
    let designer = try TaskDesigner(config: DesignerConfig(massMax: d.mass_max, topK: d.top_k, hidden: d.hidden, lr: 1e-3,
                                                           entropy: d.entropy),
                                    dModel: config.dModel, vocab: V, maxRows: B * T, seed: d.seed)
    var q = [Float](repeating: 0, count: B * T * V)
    var mask = [UInt8](repeating: 0, count: B * T)
    y.withUnsafeBufferPointer { yp in
        designer.buildTargets(q: &q, mask: &mask, probs: model.probabilities, hidden: model.hidden,
                              targets: yp.baseAddress!, rows: B * T, vocab: V)
    }
    let lossQ = q.withUnsafeBufferPointer { qp in mask.withUnsafeBufferPointer { mp in
        model.loss(.distribution(qp.baseAddress!, mask: mp.baseAddress!)) } }
    let tangent = model.makeTangentPass()  // owns u's buffer: kept alive until the output is written
    let u = tangent.tangent(direction: direction.base, restrictedTo: subset)
    let value = designer.gradient(u: u)

    func layout(_ items: [(String, [Int])]) -> String {
        "[" + items.map { "[\"\($0.0)\",[\($0.1.map(String.init).joined(separator: ","))]]" }.joined(separator: ",") + "]"
    }
    var out = "{"
    out += "\"g_down\":" + numbers(direction.base, direction.count)
    out += ",\"loss_onehot\":" + String(format: "%.17g", lossOneHot)
    out += ",\"loss_q\":" + String(format: "%.17g", lossQ)
    out += ",\"q\":" + q.withUnsafeBufferPointer { numbers($0.baseAddress!, q.count) }
    out += ",\"u\":" + numbers(u, B * T * V)
    out += ",\"value\":" + String(format: "%.17g", value)
    out += ",\"designer_params\":" + numbers(designer.params.base, designer.layout.count)
    out += ",\"designer_grad\":" + numbers(designer.grads.base, designer.layout.count)
    out += ",\"designer_layout\":" + layout(designer.layout.tensors.map { ($0.name, $0.shape) })
    out += ",\"param_layout\":" + layout(model.layout.tensors.map { ($0.name, $0.shape) })
    out += "}\n"
    withExtendedLifetime(tangent) { try? FileHandle.standardOutput.write(contentsOf: Data(out.utf8)) }
} catch {
    fail("\(error)")
}
