import Foundation
import XCTest

/// `GET …/trials` with keyset cursors: `next_cursor` handed back as `after` walks every
/// trial once, in order; malformed cursors and a cursor with an offset are 400s.
final class TrialPageAPITests: XCTestCase {
    func testNextCursorWalksEveryTrialOnce() throws {
        let daemon = try DaemonFixture(slots: 2)
        try daemon.start()
        defer { daemon.stop() }
        XCTAssertEqual(try daemon.http.post("/api/v1/sweeps", json: ["spec": daemon.spec(name: "pages", trials: 5, sleepMs: 1)]).status, 201)
        try waitUntil("the sweep finishes", seconds: 120) {
            try daemon.http.get("/api/v1/sweeps/pages").object["state"] as? String == "finished"
        }
        for sort in ["number", "-number", "value", "-value", "started", "-started"] {
            var seen: [Int] = []
            var after: String?
            var pages = 0
            repeat {
                let query = "limit=2&sort=\(sort)" + (after.map { "&after=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? "")
                let page = try daemon.http.get("/api/v1/sweeps/pages/trials?" + query)
                XCTAssertEqual(page.status, 200, page.text)
                XCTAssertEqual(page.object["total"] as? Int, 5)
                seen += (page.object["trials"] as? [[String: Any]] ?? []).compactMap { $0["number"] as? Int }
                after = page.object["next_cursor"] as? String
                pages += 1
            } while after != nil && pages < 10
            XCTAssertEqual(seen.sorted(), [1, 2, 3, 4, 5], sort)
            if sort == "number" { XCTAssertEqual(seen, [1, 2, 3, 4, 5]) }
            if sort == "-number" { XCTAssertEqual(seen, [5, 4, 3, 2, 1]) }
        }
        XCTAssertEqual(try daemon.http.get("/api/v1/sweeps/pages/trials?after=garbage").status, 400)
        XCTAssertEqual(try daemon.http.get("/api/v1/sweeps/pages/trials?after=null~2&offset=3").status, 400)
        XCTAssertEqual(try daemon.http.get("/api/v1/sweeps/pages/trials?after=null~2").object["trials"].map { ($0 as? [Any])?.count },
                       3, "after trial 2 by number: 3, 4, 5")
    }
}
