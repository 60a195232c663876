import XCTest
@testable import EventLoop
@testable import Executors

final class SignalWatcherTests: XCTestCase {
    func testSigtermRaisedInsideTheLoopIsCaughtWithoutDying() throws {
        let loop = try Loop()
        var caught: [Int32] = []
        let watcher = try SignalWatcher(loop: loop, signal: SIGTERM) { signal in
            caught.append(signal)
        }
        let trigger = try LoopTimer(loop: loop)
        try trigger.start(after: .zero) { raise(SIGTERM) }
        XCTAssertTrue(loop.run(until: { !caught.isEmpty }))
        XCTAssertEqual(caught, [SIGTERM])
        XCTAssertTrue(watcher.isActive)
        watcher.stop()
        XCTAssertFalse(watcher.isActive)
        loop.runNoWait()
        XCTAssertEqual(caught, [SIGTERM], "delivered exactly once")
    }

    func testSigintAndSigtermWatchersAreSeparate() throws {
        let loop = try Loop()
        var caught: [String] = []
        let interrupt = try SignalWatcher(loop: loop, signal: SIGINT) { _ in caught.append("INT") }
        let terminate = try SignalWatcher(loop: loop, signal: SIGTERM) { _ in caught.append("TERM") }
        let trigger = try LoopTimer(loop: loop)
        try trigger.start(after: .zero) { raise(SIGINT) }
        XCTAssertTrue(loop.run(until: { caught.count == 1 }))
        XCTAssertEqual(caught, ["INT"])
        interrupt.stop()
        terminate.stop()
    }

    func testUnreferencedWatcherDoesNotKeepTheLoopRunning() throws {
        let loop = try Loop()
        let watcher = try SignalWatcher(loop: loop, signal: SIGTERM) { _ in }
        watcher.setKeepsLoopAlive(false)
        XCTAssertFalse(loop.run(), "run() returns at once")
        watcher.stop()
    }
}
