import XCTest
@testable import EventLoop
@testable import Executors

final class ProcStatTests: XCTestCase {
    func testParsesFieldsAfterACommandNameWithSpacesAndParentheses() throws {
        // Fields 1..22 of a stat line; field 22 (start time) is 98765.
        let line = "4242 (we (ird) name) S 1 4240 4240 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765 1000 10 18446744073709551615\n"
        let stat = try XCTUnwrap(ProcStat.parse(line))
        XCTAssertEqual(stat, ProcStat(pid: 4242, state: "S", processGroup: 4240, startTime: 98765))
        XCTAssertFalse(stat.isDead)
    }

    func testZombieIsDead() throws {
        let line = "7 (x) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 555 0 0"
        XCTAssertTrue(try XCTUnwrap(ProcStat.parse(line)).isDead)
    }

    func testRejectsTruncatedLines() {
        XCTAssertNil(ProcStat.parse("12 (x) S 1 2"))
        XCTAssertNil(ProcStat.parse("garbage"))
    }

    func testReadsOurOwnProcess() throws {
        let stat = try XCTUnwrap(ProcStat.read(pid: getpid()))
        XCTAssertEqual(stat.pid, getpid())
        XCTAssertEqual(stat.processGroup, getpgrp())
        XCTAssertGreaterThan(stat.startTime, 0)
        XCTAssertTrue(ProcStat.allPids().contains(getpid()))
    }
}
