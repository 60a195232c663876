import Vocabulary
import XCTest
@testable import Corpus

final class TokenizerAndRandomTests: XCTestCase {
    func testByteTokenizerRoundTripsUTF8() {
        let text = "Q: 3 + 4?\nA: 7 — café ✓"
        let bytes = ByteTokenizer.encode(text)
        XCTAssertEqual(bytes.count, text.utf8.count)
        XCTAssertEqual(Array(bytes.prefix(3)), [0x51, 0x3A, 0x20])  // "Q: "
        XCTAssertEqual(ByteTokenizer.decode(bytes), text)
        XCTAssertEqual(ByteTokenizer.encodeIDs("A\n"), [65, 10])
        XCTAssertEqual(ByteTokenizer.decodeIDs([72, 105]), "Hi")
        XCTAssertEqual(ByteTokenizer.vocabularySize, 256)
    }

    func testByteTokenizerReplacesInvalidUTF8() {
        XCTAssertEqual(ByteTokenizer.decode([0x41, 0xFF, 0x42]), "A\u{FFFD}B")
    }

    func testFNV1a64KnownVectors() {
        // Published FNV-1a 64 test vectors.
        XCTAssertEqual(FNV1a64.hash(""), 0xcbf2_9ce4_8422_2325)
        XCTAssertEqual(FNV1a64.hash("a"), 0xaf63_dc4c_8601_ec8c)
        XCTAssertEqual(FNV1a64.hash("foobar"), 0x8594_4171_f739_67e8)
        XCTAssertEqual(FNV1a64.hex(0xab), "00000000000000ab")
    }

    func testSplitMix64KnownValue() {
        // SplitMix64 from state 0: the first output is 0xE220A8397B1DCDAF.
        XCTAssertEqual(SplitMix64.mix(0x9E37_79B9_7F4A_7C15), 0xE220_A839_7B1D_CDAF)
    }

    func testStreamsAreDeterministicAndIndependent() {
        var a = SplitMix64(seed: 7, stream: "x")
        var b = SplitMix64(seed: 7, stream: "x")
        var c = SplitMix64(seed: 7, stream: "y")
        var d = SplitMix64(seed: 8, stream: "x")
        let sa = (0..<8).map { _ in a.next() }
        XCTAssertEqual(sa, (0..<8).map { _ in b.next() })
        XCTAssertNotEqual(sa, (0..<8).map { _ in c.next() })
        XCTAssertNotEqual(sa, (0..<8).map { _ in d.next() })
    }

    func testUniformStaysInRangeAndCoversIt() {
        var rng = SplitMix64(seed: 1, stream: "uniform")
        var seen = Set<Int>()
        for _ in 0..<2000 {
            let v = rng.int(in: -3...3)
            XCTAssertTrue((-3...3).contains(v))
            seen.insert(v)
        }
        XCTAssertEqual(seen, Set(-3...3))
        XCTAssertEqual(rng.int(in: 5...5), 5)
        for _ in 0..<100 {
            let u = rng.nextUnit()
            XCTAssertTrue(u >= 0 && u < 1)
        }
    }

    func testShuffleIsAPermutation() {
        var rng = SplitMix64(seed: 3, stream: "shuffle")
        var items = Array(0..<50)
        rng.shuffle(&items)
        XCTAssertEqual(items.sorted(), Array(0..<50))
        XCTAssertNotEqual(items, Array(0..<50))
    }
}
