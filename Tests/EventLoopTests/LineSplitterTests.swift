import XCTest
@testable import EventLoop
@testable import Executors

final class LineSplitterTests: XCTestCase {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    private func line(_ text: String) -> LineSplitter.OwnedPiece { .line(Array(text.utf8)) }

    /// Feeds the chunks in order and then ends the stream.
    private func split(_ chunks: [[UInt8]], max: Int = 1 << 20) -> [LineSplitter.OwnedPiece] {
        var splitter = LineSplitter(maxLineBytes: max)
        var out: [LineSplitter.OwnedPiece] = []
        for chunk in chunks { out += splitter.feed(chunk) }
        return out + splitter.finish()
    }

    func testOneChunkWithSeveralLines() {
        XCTAssertEqual(split([bytes("a\nbb\nccc\n")]), [line("a"), line("bb"), line("ccc")])
    }

    func testLinesAreDeliveredAsSoonAsTheyAreComplete() {
        var splitter = LineSplitter()
        XCTAssertEqual(splitter.feed(bytes("first\nsec")), [line("first")])
        XCTAssertTrue(splitter.hasPartialLine)
        XCTAssertEqual(splitter.feed(bytes("ond\n")), [line("second")])
        XCTAssertFalse(splitter.hasPartialLine)
        XCTAssertEqual(splitter.finish(), [])
    }

    func testEverySplitPointGivesTheSameLines() {
        let text = bytes("alpha\n\nbeta\r\ngamma\ndelta")
        let expected = [line("alpha"), line(""), line("beta\r"), line("gamma"), line("delta")]
        for cut in 0...text.count {
            XCTAssertEqual(split([Array(text[..<cut]), Array(text[cut...])]), expected, "cut at \(cut)")
        }
        for first in 0...text.count {
            for second in first...text.count {
                let chunks = [Array(text[..<first]), Array(text[first..<second]), Array(text[second...])]
                XCTAssertEqual(split(chunks), expected, "cuts at \(first), \(second)")
            }
        }
        XCTAssertEqual(split(text.map { [$0] }), expected, "byte by byte")
    }

    func testCarriageReturnIsKept() {
        XCTAssertEqual(split([bytes("a\r\nb\r\n\r\n")]), [line("a\r"), line("b\r"), line("\r")])
    }

    func testEmptyLines() {
        XCTAssertEqual(split([bytes("\n\n\n")]), [line(""), line(""), line("")])
        XCTAssertEqual(split([bytes("\n"), bytes("\n")]), [line(""), line("")])
    }

    func testFinalLineWithoutNewlineIsDeliveredAtEnd() {
        var splitter = LineSplitter()
        XCTAssertEqual(splitter.feed(bytes("done\nlast")), [line("done")])
        XCTAssertEqual(splitter.finish(), [line("last")])
        XCTAssertEqual(splitter.finish(), [], "a second finish has nothing left")
    }

    func testEmptyStreamAndEmptyChunks() {
        XCTAssertEqual(split([]), [])
        XCTAssertEqual(split([[], bytes("x"), [], bytes("\n"), []]), [line("x")])
    }

    func testLineOfExactlyTheMaximumIsDelivered() {
        XCTAssertEqual(split([bytes("abcd\n")], max: 4), [line("abcd")])
        XCTAssertEqual(split([bytes("ab"), bytes("cd\n")], max: 4), [line("abcd")])
        XCTAssertEqual(split([bytes("abcd")], max: 4), [line("abcd")])
    }

    func testOversizedLineInOneChunkIsReportedOnceWithItsLength() {
        XCTAssertEqual(split([bytes("abcdefg\nok\n")], max: 4), [.oversized(length: 7), line("ok")])
        XCTAssertEqual(split([bytes("abcde\n")], max: 4), [.oversized(length: 5)])
    }

    func testOversizedLineAcrossChunks() {
        // 3 + 4 + 2 = 9 bytes before the newline; the excess is dropped as it arrives.
        XCTAssertEqual(split([bytes("abc"), bytes("defg"), bytes("hi\nok\n")], max: 4),
                       [.oversized(length: 9), line("ok")])
        // Held bytes plus the segment before the newline overflow only at the newline.
        XCTAssertEqual(split([bytes("ab"), bytes("cde\nz\n")], max: 4), [.oversized(length: 5), line("z")])
    }

    func testOversizedFinalLineIsReportedAtEnd() {
        var splitter = LineSplitter(maxLineBytes: 4)
        XCTAssertEqual(splitter.feed(bytes("abc")), [])
        XCTAssertEqual(splitter.feed(bytes("defg")), [])
        XCTAssertEqual(splitter.finish(), [.oversized(length: 7)])
    }

    func testSplitterRecoversAfterOversizedLine() {
        var splitter = LineSplitter(maxLineBytes: 3)
        XCTAssertEqual(splitter.feed(bytes("toolong")), [])
        XCTAssertEqual(splitter.feed(bytes("\nyes\n")), [.oversized(length: 7), line("yes")])
        XCTAssertEqual(splitter.feed(bytes("no")), [])
        XCTAssertEqual(splitter.feed(bytes("pe\n")), [.oversized(length: 4)])
        XCTAssertEqual(splitter.feed(bytes("ok\n")), [line("ok")])
    }

    func testManyLinesInOneChunk() {
        let count = 10_000
        let text = (0..<count).map { "line \($0)\n" }.joined()
        let pieces = split([bytes(text)])
        XCTAssertEqual(pieces.count, count)
        XCTAssertEqual(pieces.first, line("line 0"))
        XCTAssertEqual(pieces.last, line("line 9999"))
        XCTAssertEqual(pieces[4321], line("line 4321"))
    }

    func testArbitraryBytesPassThrough() {
        let garbage: [UInt8] = [0xFF, 0x00, 0xFE, 0x7B, 0x0D]
        XCTAssertEqual(split([garbage + [0x0A] + garbage]), [.line(garbage), .line(garbage)])
    }
}
