import Foundation
import Vocabulary
import XCTest
@testable import Service

/// The hand-written trials page is the JSON `APIResponse.encoder` writes for it.
final class TrialPageJSONTests: XCTestCase {
    private func parsed(_ data: Data) throws -> NSDictionary {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? NSDictionary)
    }

    func testSameJSONAsTheEncoder() throws {
        let full = TrialBody(number: 7, state: "completed",
                             params: ["lr": .double(0.003), "layers": .int(4), "opt": .string("adam \"w\"\n\u{1}é"),
                                      "flag": .bool(true), "tiny": .double(-1.5e-7), "huge": .double(1e300), "whole": .double(2)],
                             seed: 123_456_789, arm: "baseline", bracket: 2, attempt: 3, maxAttempts: 5,
                             createdAt: Date(timeIntervalSince1970: 1_765_000_000.999),
                             startedAt: Date(timeIntervalSince1970: 1_765_000_001.5),
                             endedAt: Date(timeIntervalSince1970: 946_684_799.25),
                             updatesDone: 27, trainSeconds: 12.25, finalValue: 0.1 + 0.2, error: "tab\there / slash")
        let sparse = TrialBody(number: 8, state: "queued", params: [:], seed: 0, arm: nil, bracket: nil, attempt: 0,
                               maxAttempts: 1, createdAt: Date(timeIntervalSince1970: 0), startedAt: nil, endedAt: nil,
                               updatesDone: 0, trainSeconds: nil, finalValue: nil, error: nil)
        for page in [TrialPageBody(total: 2, limit: 2, offset: 0, trials: [full, sparse], nextCursor: "null~8"),
                     TrialPageBody(total: 0, limit: 100, offset: 5, trials: [], nextCursor: nil)] {
            let mine = TrialPageJSON.data(page)
            let reference = try APIResponse.encoder.encode(page)
            XCTAssertEqual(try parsed(mine), try parsed(reference),
                           "\n\(String(decoding: mine, as: UTF8.self))\n\(String(decoding: reference, as: UTF8.self))")
        }
    }
}
