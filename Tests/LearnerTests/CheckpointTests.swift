import XCTest
import Foundation
import Kernels
@testable import Learner

final class CheckpointTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "vsweep-ckpt-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    /// A model and optimizer with non-trivial state (two updates taken).
    func trainedPair() throws -> (GPT, AdamWOptimizer) {
        let model = try makeTinyModel()
        let opt = AdamWOptimizer(for: model, settings: OptimizerSettings())
        let batch = Batch(B: tinyConfig.batch, T: tinyConfig.context, seed: 9)
        for _ in 0..<2 {
            batch.tokens.withUnsafeBufferPointer { x in
                batch.nextTokens.withUnsafeBufferPointer { y in
                    _ = model.trainStep(tokens: x.baseAddress!, targets: .tokens(y.baseAddress!), batch: tinyConfig.batch,
                                        time: tinyConfig.context, optimizer: opt, lr: 1e-3)
                }
            }
        }
        return (model, opt)
    }

    func testRoundTripIsBitExact() throws {
        let (model, opt) = try trainedPair()
        let path = dir + "/a.ckpt"
        try model.saveCheckpoint(to: path, optimizer: opt, meta: ["step": "2", "note": "héllo"])
        let other = try GPT(config: tinyConfig, seed: 123)
        let opt2 = AdamWOptimizer(for: other, settings: OptimizerSettings())
        let meta = try other.loadCheckpoint(from: path, optimizer: opt2)
        XCTAssertEqual(meta["step"], "2")
        XCTAssertEqual(meta["note"], "héllo")
        XCTAssertEqual(opt2.updates, 2)
        XCTAssertEqual(other.params.toArray().map(\.bitPattern), model.params.toArray().map(\.bitPattern))
        XCTAssertEqual(opt2.m.toArray().map(\.bitPattern), opt.m.toArray().map(\.bitPattern))
        XCTAssertEqual(opt2.v.toArray().map(\.bitPattern), opt.v.toArray().map(\.bitPattern))
        // Saving the restored model gives the identical file.
        try other.saveCheckpoint(to: dir + "/b.ckpt", optimizer: opt2, meta: meta)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), try Data(contentsOf: URL(fileURLWithPath: dir + "/b.ckpt")))
    }

    func expectError(_ path: String, _ check: (CheckpointError) -> Bool, file: StaticString = #filePath, line: UInt = #line) {
        let model = try! GPT(config: tinyConfig, seed: 1)
        XCTAssertThrowsError(try model.loadCheckpoint(from: path), file: file, line: line) { error in
            guard let e = error as? CheckpointError else { return XCTFail("not a CheckpointError: \(error)", file: file, line: line) }
            XCTAssertTrue(check(e), "unexpected error: \(e)", file: file, line: line)
            XCTAssertTrue(e.description.contains(path), "the message names the file: \(e)", file: file, line: line)
        }
    }

    func testCorruptTruncatedAndForeignFilesAreRefused() throws {
        let (model, opt) = try trainedPair()
        let path = dir + "/good.ckpt"
        try model.saveCheckpoint(to: path, optimizer: opt)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))

        var flipped = good
        flipped[good.count / 2] ^= 0x40
        try flipped.write(to: URL(fileURLWithPath: dir + "/flipped.ckpt"))
        expectError(dir + "/flipped.ckpt") { if case .corrupt(_, let r) = $0 { return r.contains("checksum") }; return false }

        for cut in [good.count - 1, good.count / 2, 40, 10] {
            let p = dir + "/cut\(cut).ckpt"
            try good.prefix(cut).write(to: URL(fileURLWithPath: p))
            expectError(p) { if case .truncated = $0 { return true }; return false }
        }

        try Data("hello, not a checkpoint at all".utf8).write(to: URL(fileURLWithPath: dir + "/text.ckpt"))
        expectError(dir + "/text.ckpt") { if case .notACheckpoint = $0 { return true }; return false }

        var future = good
        future[8] = 9
        try future.write(to: URL(fileURLWithPath: dir + "/future.ckpt"))
        expectError(dir + "/future.ckpt") { if case .unsupportedVersion(_, 9) = $0 { return true }; return false }

        expectError(dir + "/missing.ckpt") { if case .unreadable = $0 { return true }; return false }

        var hdr = good
        hdr[20] = 0x7B  // break the JSON header
        hdr[21] = 0x7B
        try hdr.write(to: URL(fileURLWithPath: dir + "/header.ckpt"))
        expectError(dir + "/header.ckpt") { if case .corrupt = $0 { return true }; return false }
    }

    func testMismatchedConfigIsRefused() throws {
        let path = dir + "/wide.ckpt"
        let wide = try GPT(config: GPTConfig(dModel: 32, nLayer: 2, nHead: 2, context: 8, batch: 2), seed: 1)
        try wide.saveCheckpoint(to: path)
        expectError(path) { if case .mismatch(_, let f, _, _) = $0 { return f == "model config" }; return false }
        // Batch size is a run setting, not part of the model: a different batch loads.
        let narrowBatch = try GPT(config: GPTConfig(dModel: 32, nLayer: 2, nHead: 2, context: 8, batch: 1), seed: 2)
        XCTAssertNoThrow(try narrowBatch.loadCheckpoint(from: path))
        XCTAssertEqual(narrowBatch.params.toArray(), wide.params.toArray())
    }

    func testOptimizerStateRequiredWhenAsked() throws {
        let model = try makeTinyModel()
        let path = dir + "/noopt.ckpt"
        try model.saveCheckpoint(to: path)
        let opt = AdamWOptimizer(for: model, settings: OptimizerSettings())
        XCTAssertThrowsError(try model.loadCheckpoint(from: path, optimizer: opt)) { e in
            XCTAssertTrue("\(e)".contains("optimizer state"), "\(e)")
        }
    }

    func testNoTemporaryFileLeftBehind() throws {
        let model = try makeTinyModel()
        try model.saveCheckpoint(to: dir + "/x.ckpt")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["x.ckpt"])
    }
}
