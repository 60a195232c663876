import XCTest
import Kernels
@testable import Learner

/// Training on a fixed byte corpus: the loss starts at ln 256 and falls to a
/// stated value in a stated number of steps, identically on every run.
final class TrainingSanityTests: XCTestCase {
    static let corpus = Array("""
    the cat sat on the mat. the dog sat on the log. one plus two is three. two plus two is four. \
    a bird sang in the tree. the sun is warm and the sky is blue. three plus four is seven. \
    we count: one, two, three, four, five, six, seven, eight, nine, ten. the cat and the dog are friends. \

    """.utf8)
    static let config = GPTConfig(dModel: 32, nLayer: 2, nHead: 4, context: 32, batch: 4)
    static let steps = 150

    /// Returns the loss at every step of a fixed schedule on a fixed corpus.
    static func run(seed: UInt64) throws -> [Double] {
        let model = try GPT(config: config, seed: seed)
        var settings = OptimizerSettings()
        settings.lr = 1e-2; settings.lrMin = 1e-3; settings.warmup = 5
        let opt = AdamWOptimizer(for: model, settings: settings)
        let schedule = settings.schedule(totalSteps: steps)
        let B = config.batch, T = config.context
        var x = [Int32](repeating: 0, count: B * T), y = [Int32](repeating: 0, count: B * T)
        var rng = Xoshiro256StarStar(seed: seed, stream: 1)
        var losses: [Double] = []
        for s in 0..<steps {
            for b in 0..<B {
                let start = Int(rng.next() % UInt64(corpus.count - T - 1))
                for t in 0..<T {
                    x[b * T + t] = Int32(corpus[start + t])
                    y[b * T + t] = Int32(corpus[start + t + 1])
                }
            }
            let r = x.withUnsafeBufferPointer { xp in
                y.withUnsafeBufferPointer { yp in
                    model.trainStep(tokens: xp.baseAddress!, targets: .tokens(yp.baseAddress!), batch: B, time: T,
                                    optimizer: opt, lr: schedule.rate(at: s))
                }
            }
            losses.append(r.loss)
        }
        return losses
    }

    func testLossFallsDeterministically() throws {
        let a = try Self.run(seed: 1)
        print(String(format: "training sanity: loss %.4f at step 0 -> %.4f at step %d (mean of last 10: %.4f)",
                     a[0], a.last!, Self.steps, a.suffix(10).reduce(0, +) / 10))
        XCTAssertEqual(a[0], log(256), accuracy: 0.05, "initial loss is ln 256 for a near-uniform prediction")
        XCTAssertLessThan(a.suffix(10).reduce(0, +) / 10, 1.5, "loss must fall below 1.5 nats within \(Self.steps) steps")
        let b = try Self.run(seed: 1)
        XCTAssertEqual(a, b, "same seed and thread count must give the identical loss sequence")
        let c = try Self.run(seed: 2)
        XCTAssertNotEqual(a, c, "a different seed must give a different run")
    }
}
