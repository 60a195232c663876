import XCTest
import TrialProtocol
@testable import ConfigFiles

final class ConfigDocumentTests: XCTestCase {
    let yaml = """
    base: storage/bases/b.ckpt
    seed: 3
    learner:
      lr: 3e-4
      batch: 8
      name: "007"
    flags: [1, two, true]
    """

    func testYAMLBecomesJSONWithLines() throws {
        let doc = try ConfigDocument.parse(yaml: yaml, source: "t.yaml")
        XCTAssertEqual(doc.root["seed"], .number(3))
        XCTAssertEqual(doc.root["learner"]?["lr"], .number(3e-4))
        XCTAssertEqual(doc.root["learner"]?["name"], .string("007"), "quoted scalars stay strings")
        XCTAssertEqual(doc.root["flags"], .array([.number(1), .string("two"), .bool(true)]))
        XCTAssertEqual(doc.lines["learner.batch"], 5)
        XCTAssertEqual(doc.error(field: "learner.batch", "bad").description, "t.yaml:5: learner.batch: bad")
        XCTAssertEqual(doc.error(field: "learner.nope", "bad").line, 3, "unknown leaf falls back to its parent's line")
    }

    func testJSONIsAccepted() throws {
        let doc = try ConfigDocument.parse(yaml: #"{"a": {"b": [1, 2.5]}, "c": null}"#, source: "x.json")
        XCTAssertEqual(doc.root["a"]?["b"], .array([.number(1), .number(2.5)]))
        XCTAssertEqual(doc.root["c"], .null)
    }

    func testSyntaxErrorNamesLine() {
        XCTAssertThrowsError(try ConfigDocument.parse(yaml: "a: 1\nb: [1, 2\nc: 3\n", source: "broken.yaml")) { e in
            let err = e as! ConfigFileError
            XCTAssertEqual(err.source, "broken.yaml")
            XCTAssertNotNil(err.line)
            XCTAssertTrue(err.description.contains("not valid YAML"), err.description)
        }
    }

    func testTopLevelMustBeMappingAndKeysUnique() {
        XCTAssertThrowsError(try ConfigDocument.parse(yaml: "- 1\n- 2\n", source: "l.yaml")) { e in
            XCTAssertTrue("\(e)".contains("top level must be a mapping"), "\(e)")
        }
        XCTAssertThrowsError(try ConfigDocument.parse(yaml: "a: 1\na: 2\n", source: "d.yaml")) { e in
            XCTAssertTrue("\(e)".contains("duplicate"), "\(e)")
        }
    }

    func testOverrides() throws {
        var doc = try ConfigDocument.parse(yaml: yaml, source: "t.yaml")
        try doc.apply(overrides: ["learner.lr=1e-3", "budget.updates=500", "arm=vpt", "learner.tags=[a, b]"])
        XCTAssertEqual(doc.root["learner"]?["lr"], .number(1e-3))
        XCTAssertEqual(doc.root["budget"]?["updates"], .number(500))
        XCTAssertEqual(doc.root["arm"], .string("vpt"))
        XCTAssertEqual(doc.root["learner"]?["tags"], .array([.string("a"), .string("b")]))
        XCTAssertThrowsError(try doc.apply(overrides: ["novalue"]))
        XCTAssertThrowsError(try doc.apply(overrides: ["seed.x=1"])) { e in
            XCTAssertTrue("\(e)".contains("not a mapping"), "\(e)")
        }
        XCTAssertThrowsError(try doc.apply(overrides: ["a..b=1"]))
    }

    func testReaderTypesRangesAndUnknownFields() throws {
        let doc = try ConfigDocument.parse(yaml: "n: 2.5\nk: -1\ns: [1]\nmode: fast\nextra: 1\n", source: "r.yaml")
        let r = try ConfigReader(doc)
        XCTAssertThrowsError(try r.int("n")) { XCTAssertEqual("\($0)", "r.yaml:1: n: must be an integer (got 2.5)") }
        XCTAssertThrowsError(try r.int("k", ">= 0", where: { $0 >= 0 })) { XCTAssertEqual("\($0)", "r.yaml:2: k: must be >= 0 (got -1)") }
        XCTAssertThrowsError(try r.string("s")) { XCTAssertTrue("\($0)".contains("must be a string (got a list)")) }
        enum Mode: String, CaseIterable { case slow, careful }
        XCTAssertThrowsError(try r.choice("mode") as Mode) { XCTAssertTrue("\($0)".contains("one of: slow, careful")) }
        XCTAssertEqual(try r.double("missing", default: 4), 4)
        XCTAssertThrowsError(try r.finish()) { XCTAssertTrue("\($0)".contains("r.yaml:5: extra: unknown field"), "\($0)") }
    }
}
