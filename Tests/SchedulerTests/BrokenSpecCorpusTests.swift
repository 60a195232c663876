import Foundation
import Scheduler
import XCTest

/// Every file of `Fixtures/broken-specs/` is a spec with one mistake. Its first line,
/// `# expect: <text>`, is what the error must contain: the file name, the line (where
/// the mistake has one) and the field, and what is allowed. `compare-*` files are
/// comparison specs, `sweep-*` files sweep specs.
final class BrokenSpecCorpusTests: XCTestCase {
    static let minimumCorpus = 40

    func corpus() throws -> [URL] {
        let directory = try XCTUnwrap(Bundle.module.url(forResource: "broken-specs", withExtension: nil,
                                                        subdirectory: "Fixtures"))
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    func testCorpusIsLargeAndCoversBothSpecKinds() throws {
        let names = try corpus().map(\.lastPathComponent)
        XCTAssertGreaterThanOrEqual(names.count, Self.minimumCorpus)
        XCTAssertGreaterThanOrEqual(names.filter { $0.hasPrefix("sweep-") }.count, 20)
        XCTAssertGreaterThanOrEqual(names.filter { $0.hasPrefix("compare-") }.count, 20)
        XCTAssertEqual(names.filter { !$0.hasPrefix("sweep-") && !$0.hasPrefix("compare-") }, [],
                       "the prefix picks the parser")
    }

    func testEveryBrokenSpecIsRefusedWithItsExpectedMessage() throws {
        for url in try corpus() {
            let file = url.lastPathComponent
            let text = try String(contentsOf: url, encoding: .utf8)
            let firstLine = text.prefix { $0 != "\n" }
            guard firstLine.hasPrefix("# expect: ") else {
                XCTFail("\(file): the first line must be '# expect: <text>'")
                continue
            }
            let expected = String(firstLine.dropFirst("# expect: ".count))
            XCTAssertTrue(expected.hasPrefix(file), "\(file): the expected text starts with the file name")
            do {
                if file.hasPrefix("compare-") {
                    _ = try ComparisonSpec.load(path: url.path)
                } else {
                    _ = try SweepSpec.load(path: url.path)
                }
                XCTFail("\(file): parsed, but should fail with: \(expected)")
            } catch {
                XCTAssertTrue("\(error)".contains(expected), "\(file):\n  got:      \(error)\n  expected: \(expected)")
                // A message that quoted the file would contain its own expectation.
                XCTAssertFalse("\(error)".contains("# expect:"), "\(file): the message quotes the file: \(error)")
            }
        }
    }
}
