import XCTest
import Vocabulary

final class HashAndGeneratorTests: XCTestCase {
    func testFNV1aMatchesTheReferenceVectors() {
        XCTAssertEqual(FNV1a64.hash(""), 0xCBF2_9CE4_8422_2325)
        XCTAssertEqual(FNV1a64.hash("a"), 0xAF63_DC4C_8601_EC8C)
        XCTAssertEqual(FNV1a64.hash("foobar"), 0x8594_4171_F739_67E8)
    }

    func testWordHashFoldsWholeWordsThenTailBytes() {
        // One word 1 (little-endian bytes 01 00 … 00) then a tail byte 0xff, by hand:
        // h = ((basis ^ 1)·p ^ 0xff)·p.
        let bytes: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0, 0xFF]
        let p = FNV1a64.prime
        let expected = ((FNV1a64.offsetBasis ^ 1) &* p ^ 0xFF) &* p
        XCTAssertEqual(bytes.withUnsafeBytes { FNV1a64.hashWords($0) }, expected)
        XCTAssertNotEqual(expected, FNV1a64.hash(bytes))
    }

    func testSplitMix64FirstOutputsFromZero() {
        // Reference outputs of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        var g = SplitMix64(seed: 0)
        XCTAssertEqual(g.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(g.next(), 0x6E78_9E6A_A1B9_65F4)
        XCTAssertEqual(g.next(), 0x06C4_5D18_8009_454F)
    }
}
