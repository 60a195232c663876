import Foundation
import XCTest
import Vocabulary

final class TrialVocabularyTests: XCTestCase {
    func testNumbersFromFilesAreIntsWhenIntegral() {
        XCTAssertEqual(ParamValue.number(8), .int(8))
        XCTAssertEqual(ParamValue.number(-3), .int(-3))
        XCTAssertEqual(ParamValue.number(0.3), .double(0.3))
        XCTAssertEqual(ParamValue.number(1e20), .double(1e20))
        XCTAssertEqual(ParamValue.int(2).doubleValue, 2)
        XCTAssertNil(ParamValue.string("vpt").doubleValue)
    }

    func testParamValueCodesAsAPlainScalar() throws {
        let values: ParamAssignment = ["a": .double(0.001), "b": .int(4), "c": .string("vpt"), "d": .bool(false)]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(values), as: UTF8.self)
        XCTAssertEqual(text, #"{"a":0.001,"b":4,"c":"vpt","d":false}"#)
        XCTAssertEqual(try JSONDecoder().decode(ParamAssignment.self, from: Data(text.utf8)), values)
        XCTAssertThrowsError(try JSONDecoder().decode(ParamValue.self, from: Data("null".utf8)))
    }

    func testConfigKeysAreDotted() {
        XCTAssertEqual(TrialConfigKey.Designer.massMax.key.dotted, "designer.mass_max")
        XCTAssertEqual(TrialConfigKey.checkpointDir.dotted, "checkpoint.dir")
        XCTAssertEqual(TrialConfigKey.seed.dotted, "seed")
        XCTAssertEqual(TrialBudget.Key.updates.configKey.dotted, "budget.updates")
        XCTAssertEqual(TrialConfigKey.setByScheduler.map(\.dotted), ["trial", "checkpoint.dir"])
        let massMax = TrialConfigKey.Designer.massMax
        XCTAssertEqual(massMax.defaultValue, 0.1)
        XCTAssertTrue(massMax.accepts(0) && massMax.accepts(1) && !massMax.accepts(1.5) && !massMax.accepts(-0.1))
    }

    func testAssignmentTravelsAsArgumentsAndVariables() {
        var assignment = TrialAssignment(configPath: "runs/s/trial-3/config.json", trialKey: "s-3", threads: 2)
        XCTAssertEqual(assignment.arguments, ["--config", "runs/s/trial-3/config.json"])
        XCTAssertEqual(assignment.environment, ["OPENBLAS_NUM_THREADS": "2", "VSWEEP_TRIAL": "s-3"])
        assignment.resumeFrom = "runs/s/trial-3/checkpoint.bin"
        assignment.gpus = ["1", "3"]
        XCTAssertEqual(assignment.arguments, ["--config", "runs/s/trial-3/config.json",
                                              "--resume", "runs/s/trial-3/checkpoint.bin"])
        XCTAssertEqual(assignment.environment["CUDA_VISIBLE_DEVICES"], "1,3")
    }
}
