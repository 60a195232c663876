import Foundation
import Scheduler
import XCTest

/// `engine: torch` and `parallel.gpus_per_trial` (the PyTorch engine, issue 12).
final class TorchEngineSpecTests: XCTestCase {
    let spec = """
        name: t
        engine: torch
        trial: {base: b.ckpt, data: d}
        space:
          learner.lr: {log_uniform: [1.0e-4, 1.0e-2]}
        metric: {name: val_pass1, goal: maximize}
        budget: {updates: 10}
        limits: {max_trials: 2}
        parallel: {trials: 2, gpus: [0, 1, 2, 3], gpus_per_trial: 2}
        """

    func testTorchEngineKindAndGPUsPerTrial() throws {
        let s = try SweepSpec.parse(text: spec, source: "t.yaml")
        XCTAssertEqual(s.engine, .torch)
        XCTAssertEqual(s.gpusPerTrial, 2)
        let dir = NSTemporaryDirectory() + "vsweep-torch-spec-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let launcher = TrialLauncher(spec: s, engineArgv: ["engine"], runsDirectory: dir, environment: [:])
        let first = try launcher.launch(number: 1, params: [:], seed: 1, slot: 0, resumeFrom: nil)
        let second = try launcher.launch(number: 2, params: [:], seed: 2, slot: 1, resumeFrom: nil)
        XCTAssertEqual(first.environment["CUDA_VISIBLE_DEVICES"], "0,1")
        XCTAssertEqual(second.environment["CUDA_VISIBLE_DEVICES"], "2,3")
        XCTAssertThrowsError(try SweepSpec.parse(text: spec.replacingOccurrences(of: "gpus_per_trial: 2", with: "gpus_per_trial: 5"),
                                                 source: "t.yaml")) { error in
            XCTAssertTrue("\(error)".contains("parallel.gpus_per_trial"), "\(error)")
        }
        XCTAssertThrowsError(try SweepSpec.parse(text: spec.replacingOccurrences(of: "engine: torch", with: "engine: pytorch"),
                                                 source: "t.yaml")) { error in
            XCTAssertTrue("\(error)".contains("builtin, torch or a list"), "\(error)")
        }
    }

    func testTorchArgvUsesVSWEEPPythonAndFindsThePackage() throws {
        let repo = NSTemporaryDirectory() + "vsweep-torch-argv-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: repo) }
        try FileManager.default.createDirectory(atPath: repo + "/Sources/TorchEngine/vsweep_torch", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: repo + "/Sources/TorchEngine/vsweep_torch/train.py", contents: Data())
        let argv = SweepSession.torchEngineArgv(environment: ["VSWEEP_PYTHON": "/opt/py/bin/python"],
                                                executable: repo + "/.build/debug/vsweep")
        XCTAssertEqual(argv.first, "/opt/py/bin/python")
        XCTAssertEqual(argv[1], "-c")
        XCTAssertTrue(argv[2].contains(repo + "/Sources/TorchEngine"), argv[2])
        XCTAssertTrue(argv[2].hasSuffix("from vsweep_torch.train import main; main()"))
        XCTAssertEqual(SweepSession.torchEngineArgv(environment: [:], executable: "/nowhere/bin/vsweep"),
                       ["python3", "-m", "vsweep_torch.train"], "an installed package is run as a module")
    }
}
