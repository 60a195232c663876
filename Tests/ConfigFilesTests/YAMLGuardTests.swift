import Foundation
import XCTest
import TrialProtocol
@testable import ConfigFiles

/// Issue 11, item 3: anchors and aliases are refused before anything is expanded, and
/// size, depth and non-finite numbers have their own messages.
final class YAMLGuardTests: XCTestCase {
    /// The 555-byte "billion laughs" of the issue: nine levels of nine aliases.
    static let billionLaughs: String = {
        var lines = ["name: laughs", "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (previous, name) in zip(names, names.dropFirst()) {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    private func refusal(_ text: String, source: String = "x.yaml") -> ConfigFileError? {
        do {
            _ = try ConfigDocument.parse(yaml: text, source: source)
            return nil
        } catch {
            return error as? ConfigFileError
        }
    }

    func testBillionLaughsIsRefusedAtItsFirstAnchorWithFileAndLine() throws {
        let error = try XCTUnwrap(refusal(Self.billionLaughs, source: "laughs.yaml"), "the billion laughs parsed")
        XCTAssertEqual(error.source, "laughs.yaml")
        XCTAssertEqual(error.line, 2)
        XCTAssertTrue(error.message.contains("anchors and aliases are refused (found anchor &a)"), error.message)
    }

    func testAliasesAreRefusedWhereverANodeStarts() throws {
        let cases: [(String, Int, String)] = [
            ("a: 1\nb: *x\n", 2, "alias *x"),
            ("a: [1, *x]\n", 1, "alias *x"),
            ("a: {k: *x}\n", 1, "alias *x"),
            ("a:\n  - 1\n  - *x\n", 3, "alias *x"),
            ("a:\n  - &y\n    k: 1\n", 2, "anchor &y"),
            ("a: !!str &z v\n", 1, "anchor &z"),
            ("? *k\n: v\n", 1, "alias *k"),
        ]
        for (text, line, what) in cases {
            let error = try XCTUnwrap(refusal(text), "accepted:\n\(text)")
            XCTAssertEqual(error.line, line, text)
            XCTAssertTrue(error.message.contains("found \(what)"), "\(text): \(error.message)")
        }
    }

    func testAmpersandsAndStarsInsideValuesAreText() throws {
        let text = """
        plain: a&b and 3*2 * x
        quoted: "&not *alias"
        single: '*it''s* &text'
        comment: 1   # &anchor *alias
        block: |
          *starts a line
          &and another
        folded: >-
            - &deeper *still text
        flow: ["*q", '&r', a*b, {k: "v&"}]
        after: 2
        """
        let doc = try ConfigDocument.parse(yaml: text, source: "ok.yaml")
        XCTAssertEqual(doc.root["plain"], .string("a&b and 3*2 * x"))
        XCTAssertEqual(doc.root["block"], .string("*starts a line\n&and another\n"))
        XCTAssertEqual(doc.root["folded"], .string("- &deeper *still text"))
        XCTAssertEqual(doc.root["flow"]?.arrayCount, 4)
        XCTAssertEqual(doc.root["after"], .number(2))
    }

    func testAMultiLineQuotedScalarHidesNoAnchor() throws {
        let doc = try ConfigDocument.parse(yaml: "a: \"one\n  *two\"\nb: 1\n", source: "ok.yaml")
        XCTAssertEqual(doc.root["a"], .string("one *two"))
        XCTAssertEqual(refusal("a: \"one\n  two\"\nb: *x\n")?.line, 3)
    }

    func testDeepNestingIsRefusedBeforeComposing() throws {
        let flow = "a: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"
        let error = try XCTUnwrap(refusal(flow))
        XCTAssertEqual(error.line, 1)
        XCTAssertTrue(error.message.contains("nested deeper than 64 levels"), error.message)
        let block = "a:\n" + (1...100).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " 1\n"
        XCTAssertTrue(refusal(block)?.message.contains("nested deeper") == true)
        let dashes = "a: 1\nb:\n" + String(repeating: "- ", count: 100) + "x\n"
        XCTAssertEqual(refusal(dashes)?.line, 3)
        // An ordinary depth is fine.
        XCTAssertNoThrow(try ConfigDocument.parse(yaml: "a:\n  b:\n    - c: {d: [1, [2]]}\n", source: "ok.yaml"))
    }

    func testOversizedFilesAreRefusedBeforeReading() throws {
        let path = NSTemporaryDirectory() + "vsweep-yamlguard-\(getpid()).yaml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Over the documented limit of 1 MiB.
        let text = "a: \"" + String(repeating: "x", count: 1 << 20) + "\"\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ConfigDocument.load(path: path)) { error in
            let e = error as! ConfigFileError
            XCTAssertEqual(e.source, path)
            XCTAssertTrue(e.message.contains("limited to 1048576 bytes"), e.message)
        }
        XCTAssertTrue(refusal(text)?.message.contains("limited to") == true)
    }

    func testNonFiniteNumbersNameTheirFieldAndLine() throws {
        for bound in ["1.0e400", ".inf", "-.Inf", ".nan", "-1e999"] {
            let text = "name: x\nspace:\n  lr: {uniform: [0, \(bound)]}\n"
            let error = try XCTUnwrap(refusal(text), bound)
            XCTAssertEqual(error.line, 3, bound)
            XCTAssertEqual(error.field, "space.lr.uniform[1]", bound)
            XCTAssertTrue(error.message.contains("not a finite number (got \(bound))"), error.message)
        }
        // Quoted, they are the strings they say; words are strings by the core schema.
        let doc = try ConfigDocument.parse(yaml: "a: \".inf\"\nb: inf\nc: 1e300\n", source: "ok.yaml")
        XCTAssertEqual(doc.root["a"], .string(".inf"))
        XCTAssertEqual(doc.root["b"], .string("inf"))
        XCTAssertEqual(doc.root["c"], .number(1e300))
    }
}

private extension JSONValue {
    var arrayCount: Int? { if case .array(let a) = self { return a.count }; return nil }
}
