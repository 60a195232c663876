import Vocabulary
import Foundation
import XCTest
@testable import Search

final class SearchSpaceTests: XCTestCase {
    func testValidationErrorsNameTheParameterAndTheRule() {
        XCTAssertThrowsError(try Parameter.uniform("designer.mass_max", low: 0.5, high: 0.2)) { error in
            XCTAssertEqual("\(error)", "parameter designer.mass_max: low 0.5 must be < high 0.2")
        }
        XCTAssertThrowsError(try Parameter.logUniform("learner.lr", low: 0, high: 0.1)) { error in
            XCTAssertEqual("\(error)", "parameter learner.lr: log-uniform low 0.0 must be > 0")
        }
        XCTAssertThrowsError(try Parameter.uniform("a", low: 0, high: .infinity)) { error in
            XCTAssertEqual("\(error)", "parameter a: bounds 0.0, inf must be finite")
        }
        XCTAssertThrowsError(try Parameter.integer("model.layers", low: 4, high: 2)) { error in
            XCTAssertEqual("\(error)", "parameter model.layers: low 4 must be <= high 2")
        }
        XCTAssertThrowsError(try Parameter.integer("model.width", low: 0, high: 8, log: true)) { error in
            XCTAssertEqual("\(error)", "parameter model.width: log-scaled integer low 0 must be >= 1")
        }
        XCTAssertThrowsError(try Parameter.categorical("opt", [])) { error in
            XCTAssertEqual("\(error)", "parameter opt: categorical needs at least one choice")
        }
        XCTAssertThrowsError(try Parameter.categorical("opt", [.string("a"), .string("a")])) { error in
            XCTAssertTrue("\(error)".hasPrefix("parameter opt: categorical choices must be distinct"))
        }
        XCTAssertThrowsError(try Parameter.fixed("learner..lr", .int(1))) { error in
            XCTAssertEqual("\(error)",
                           "parameter \"learner..lr\": name must be a dotted key of non-empty [A-Za-z0-9_-] segments")
        }
        XCTAssertThrowsError(try SearchSpace([.uniform("x", low: 0, high: 1), .fixed("x", .int(1))])) { error in
            XCTAssertEqual("\(error)", "parameter x: name appears more than once in the search space")
        }
    }

    // The one ParamValue (Vocabulary) codes as a plain JSON scalar, as the store keeps it:
    // the kind survives except that an integral double reads back as an int.
    func testParamValueCodesWithItsKind() throws {
        let values: [ParamValue] = [.double(1.5), .int(1), .string("adam"), .bool(true)]
        let data = try JSONEncoder().encode(values)
        XCTAssertEqual(String(decoding: data, as: UTF8.self), #"[1.5,1,"adam",true]"#)
        XCTAssertEqual(try JSONDecoder().decode([ParamValue].self, from: data), values)
        XCTAssertEqual(try JSONDecoder().decode([ParamValue].self, from: JSONEncoder().encode([ParamValue.double(1.0)])),
                       [.int(1)])
    }

    func testUnitIntervalMapsThroughEachTransform() throws {
        // uniform: −5 + 0.2·15 = −2
        XCTAssertEqual(try Parameter.uniform("x", low: -5, high: 10).value(atUnit: 0.2), .double(-2))
        // log-uniform: exp(log 1e-4 + 0.5·(log 1e-2 − log 1e-4)) = 1e-3
        guard case .double(let lr) = try Parameter.logUniform("lr", low: 1e-4, high: 1e-2).value(atUnit: 0.5)
        else { return XCTFail("not a double") }
        XCTAssertEqual(lr, 1e-3, accuracy: 1e-15)
        // integer 1...4: 1 + ⌊u·4⌋
        let n = try Parameter.integer("n", low: 1, high: 4)
        XCTAssertEqual(n.value(atUnit: 0), .int(1))
        XCTAssertEqual(n.value(atUnit: 0.5), .int(3))
        XCTAssertEqual(n.value(atUnit: 0.999), .int(4))
        XCTAssertEqual(n.value(atUnit: 1), .int(4))
        // log integer 1...7: ⌊exp(u·log 8)⌋; u = 1/3 → ⌊2.0…⌋ = 2, u = 0.99 → ⌊7.84⌋ = 7
        let logN = try Parameter.integer("w", low: 1, high: 7, log: true)
        XCTAssertEqual(logN.value(atUnit: 1.0 / 3.0 + 1e-12), .int(2))
        XCTAssertEqual(logN.value(atUnit: 0.99), .int(7))
        // categorical: choices[⌊u·3⌋]
        let opt = try Parameter.categorical("opt", [.string("sgd"), .string("adam"), .string("lion")])
        XCTAssertEqual(opt.value(atUnit: 0.5), .string("adam"))
        XCTAssertEqual(opt.value(atUnit: 0.99), .string("lion"))
        XCTAssertEqual(try Parameter.fixed("seed", .int(7)).value(atUnit: 0.3), .int(7))
    }

    func testAssignmentSkipsFixedParametersWhenReadingCoordinates() throws {
        let space = try SearchSpace([
            .uniform("a", low: 0, high: 10),
            .fixed("b", .string("on")),
            .integer("c", low: 0, high: 9),
        ])
        let assignment = space.assignment(atUnitPoint: [0.5, 0.25])
        XCTAssertEqual(assignment, ["a": .double(5), "b": .string("on"), "c": .int(2)])
        XCTAssertTrue(space.contains(assignment))
        XCTAssertFalse(space.contains(["a": .double(11), "b": .string("on"), "c": .int(2)]))
        XCTAssertFalse(space.contains(["a": .double(5), "b": .string("on")]))
    }
}
