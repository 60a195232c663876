import XCTest
@testable import EventLoop
@testable import Executors

final class TimerTests: XCTestCase {
    func testManualTimersFireInDeadlineOrderWithTheClockAtEachDeadline() throws {
        let timers = ManualTimers()
        var fired: [String] = []
        func note(_ name: String) -> () -> Void {
            { fired.append("\(name)@\(timers.manualClock.nanoseconds / 1_000_000)") }
        }
        try timers.schedule(after: .milliseconds(30), note("a"))
        try timers.schedule(after: .milliseconds(10), note("b"))
        try timers.schedule(after: .milliseconds(15), repeating: .milliseconds(15), note("c"))
        XCTAssertEqual(timers.advance(by: .milliseconds(9)), 0)
        XCTAssertEqual(fired, [])
        // Up to 50 ms: b@10, c@15, then a and c both at 30 (a was scheduled before c's
        // second turn), then c@45.
        XCTAssertEqual(timers.advance(by: .milliseconds(41)), 5)
        XCTAssertEqual(fired, ["b@10", "c@15", "a@30", "c@30", "c@45"])
        XCTAssertEqual(timers.manualClock.nanoseconds, 50_000_000)
        XCTAssertEqual(timers.count, 1, "only the repeating timer is left")
    }

    func testCancelledManualTimerNeverFires() throws {
        let timers = ManualTimers()
        var fired: [String] = []
        let deadline = try timers.schedule(after: .seconds(10)) { fired.append("deadline") }
        let heartbeat = try timers.schedule(after: .seconds(1), repeating: .seconds(1)) { fired.append("beat") }
        timers.advance(by: .milliseconds(2500))
        timers.cancel(heartbeat)
        timers.cancel(deadline)
        timers.advance(by: .seconds(60))
        XCTAssertEqual(fired, ["beat", "beat"])
        XCTAssertEqual(timers.count, 0)
    }

    func testDeadlineThenGraceEscalation() throws {
        // The scheduler's pattern: SIGTERM at the deadline, SIGKILL after a grace period
        // unless the trial exited in between.
        let timers = ManualTimers()
        var actions: [String] = []
        var graceTimer: TimerID?
        try timers.schedule(after: .seconds(60)) {
            actions.append("SIGTERM")
            graceTimer = try? timers.schedule(after: .seconds(5)) { actions.append("SIGKILL") }
        }
        timers.advance(by: .seconds(59))
        XCTAssertEqual(actions, [])
        timers.advance(by: .seconds(1))
        XCTAssertEqual(actions, ["SIGTERM"])
        timers.advance(by: .seconds(4))
        XCTAssertEqual(actions, ["SIGTERM"])
        timers.advance(by: .seconds(1))
        XCTAssertEqual(actions, ["SIGTERM", "SIGKILL"])
        XCTAssertNotNil(graceTimer)
    }

    func testTimerActionsMayScheduleTimersThatFallDueInTheSameAdvance() throws {
        let timers = ManualTimers()
        var fired: [UInt64] = []
        try timers.schedule(after: .milliseconds(1)) {
            fired.append(timers.manualClock.nanoseconds)
            _ = try? timers.schedule(after: .milliseconds(1)) { fired.append(timers.manualClock.nanoseconds) }
        }
        timers.advance(by: .milliseconds(5))
        XCTAssertEqual(fired, [1_000_000, 2_000_000])
    }

    func testNonPositiveIntervalIsRejected() throws {
        let timers = ManualTimers()
        XCTAssertThrowsError(try timers.schedule(after: .zero, repeating: .zero) {})
        let loop = try Loop()
        let timer = try LoopTimer(loop: loop)
        XCTAssertThrowsError(try timer.start(after: .zero, repeating: .milliseconds(-1)) {})
    }

    func testManualClockElapsed() {
        let clock = ManualClock(nanoseconds: 100)
        let start = clock.nanoseconds
        clock.advance(by: .microseconds(3))
        XCTAssertEqual(clock.elapsed(since: start), .nanoseconds(3000))
    }

    func testRealTimerFiresOnceWithRunOnce() throws {
        let loop = try Loop()
        let timer = try LoopTimer(loop: loop)
        var fired = 0
        try timer.start(after: .milliseconds(1)) { fired += 1 }
        XCTAssertTrue(timer.isActive)
        // UV_RUN_ONCE blocks until the timer is due and runs it.
        XCTAssertFalse(loop.runOnce(), "nothing is left once the one-shot fired")
        XCTAssertEqual(fired, 1)
        XCTAssertFalse(timer.isActive)
        loop.runNoWait()
        XCTAssertEqual(fired, 1)
    }

    func testRepeatingRealTimerCancelledFromItsAction() throws {
        let loop = try Loop()
        let timer = try LoopTimer(loop: loop)
        var fired = 0
        try timer.start(after: .zero, repeating: .milliseconds(1)) {
            fired += 1
            if fired == 3 { timer.cancel() }
        }
        loop.run()
        XCTAssertEqual(fired, 3)
    }

    func testStopMakesRunReturnWithHandlesStillActive() throws {
        let loop = try Loop()
        let heartbeat = try LoopTimer(loop: loop)
        var beats = 0
        try heartbeat.start(after: .zero, repeating: .milliseconds(1)) {
            beats += 1
            if beats == 2 { loop.stop() }
        }
        XCTAssertTrue(loop.run(), "stopped, not drained")
        XCTAssertEqual(beats, 2)
        XCTAssertTrue(heartbeat.isActive)
        heartbeat.cancel()
        XCTAssertFalse(loop.run())
        XCTAssertEqual(beats, 2)
    }

    func testOneShotTimerMayRearmItselfFromItsAction() throws {
        let loop = try Loop()
        let timer = try LoopTimer(loop: loop)
        var fired = 0
        func arm() throws {
            try timer.start(after: .zero) {
                fired += 1
                if fired < 3 { try? arm() }
            }
        }
        try arm()
        loop.run()
        XCTAssertEqual(fired, 3)
        XCTAssertFalse(timer.isActive)
    }

    func testDroppedTimerNeverFires() throws {
        let loop = try Loop()
        var fired = 0
        do {
            let timer = try LoopTimer(loop: loop)
            try timer.start(after: .zero) { fired += 1 }
        }
        loop.run()
        XCTAssertEqual(fired, 0)
        XCTAssertFalse(loop.isAlive)
    }

    func testLoopTimersOneShotAndCancel() throws {
        let loop = try Loop()
        let timers = LoopTimers(loop: loop)
        var fired: [String] = []
        try timers.schedule(after: .milliseconds(2)) { fired.append("later") }
        try timers.schedule(after: .zero) { fired.append("first") }
        let cancelled = try timers.schedule(after: .milliseconds(1)) { fired.append("cancelled") }
        timers.cancel(cancelled)
        XCTAssertEqual(timers.count, 2)
        loop.run()
        XCTAssertEqual(fired, ["first", "later"])
        XCTAssertEqual(timers.count, 0)
    }

    func testMillisecondsRoundUp() {
        XCTAssertEqual(LoopTimer.milliseconds(.zero), 0)
        XCTAssertEqual(LoopTimer.milliseconds(.nanoseconds(1)), 1)
        XCTAssertEqual(LoopTimer.milliseconds(.milliseconds(5)), 5)
        XCTAssertEqual(LoopTimer.milliseconds(.microseconds(5001)), 6)
        XCTAssertEqual(LoopTimer.milliseconds(.seconds(-3)), 0)
    }
}
