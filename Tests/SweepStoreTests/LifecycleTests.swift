import Foundation
import GRDB
import XCTest
@testable import SweepStore

final class LifecycleTests: XCTestCase {
    func testTransitionTableMatchesTheDiagram() {
        let allowed: Set<String> = [
            "queued>running", "queued>cancelled",
            "running>completed", "running>stopped_early", "running>failed", "running>timed_out",
            "running>cancelled", "running>queued",
        ]
        for from in TrialState.allCases {
            for to in TrialState.allCases {
                XCTAssertEqual(from.canMove(to: to), allowed.contains("\(from.rawValue)>\(to.rawValue)"),
                               "\(from.rawValue) -> \(to.rawValue)")
            }
        }
    }

    func testHappyPathRecordsAttemptTimesAndTransitions() throws {
        let clock = TestClock(100)
        let (store, sweep) = try makeStore(clock: clock)
        let queued = try store.enqueueTrial(sweepID: sweep.id, params: ["lr": .double(0.1), "layers": .int(2)],
                                            seed: 7, bracket: 0, arm: "vpt", maxAttempts: 2)
        XCTAssertEqual(queued.number, 1)
        XCTAssertEqual(queued.state, .queued)
        XCTAssertEqual(queued.attempt, 0)
        XCTAssertEqual(queued.params, ["lr": .double(0.1), "layers": .int(2)])
        XCTAssertEqual(try store.trial(id: queued.id), queued)  // the returned row is the stored one

        clock.set(110)
        let attempt = try store.startAttempt(trialID: queued.id, pid: 4242, processStart: "12345", host: "h1")
        XCTAssertEqual(attempt.attempt, 1)
        XCTAssertEqual(attempt.pid, 4242)
        XCTAssertNil(attempt.outcome)
        XCTAssertEqual(try store.attempts(trialID: queued.id), [attempt])
        XCTAssertEqual(try store.trial(id: queued.id)?.state, .running)

        clock.set(150)
        let done = try store.recordExit(trialID: queued.id, outcome: .completed, reason: "finished", exitStatus: 0,
                                        finalValue: objective(2.5))
        XCTAssertEqual(done.state, .completed)
        XCTAssertEqual(done.finalValue, 2.5)
        XCTAssertEqual(done.startedAt, Date(timeIntervalSince1970: 110))
        XCTAssertEqual(done.endedAt, Date(timeIntervalSince1970: 150))
        XCTAssertEqual(done.exitStatus, 0)
        XCTAssertNil(done.error)

        let attempts = try store.attempts(trialID: queued.id)
        XCTAssertEqual(attempts.map(\.outcome), [.completed])
        XCTAssertEqual(attempts.first?.endedAt, Date(timeIntervalSince1970: 150))

        let log = try store.transitions(trialID: queued.id)
        XCTAssertEqual(log.map(\.fromState), [nil, .queued, .running])
        XCTAssertEqual(log.map(\.toState), [.queued, .running, .completed])
        XCTAssertEqual(log.map(\.attempt), [0, 1, 1])
        XCTAssertEqual(log.map(\.at), [100, 110, 150].map(Date.init(timeIntervalSince1970:)))
        XCTAssertEqual(try store.integrityCheck(), "ok")
    }

    func testEveryTerminalOutcomeSetsItsStateAndErrorOnlyForFailures() throws {
        let (store, sweep) = try makeStore()
        let expected: [(AttemptOutcome, TrialState, Bool)] = [
            (.completed, .completed, false), (.stoppedEarly, .stoppedEarly, false), (.failed, .failed, true),
            (.timedOut, .timedOut, true), (.cancelled, .cancelled, true),
        ]
        for (outcome, state, hasError) in expected {
            let trial = try store.enqueueTrial(sweepID: sweep.id, params: [:], seed: 1)
            try store.startAttempt(trialID: trial.id)
            let ended = try store.recordExit(trialID: trial.id, outcome: outcome, reason: "why \(outcome.rawValue)",
                                             termSignal: outcome == .timedOut ? 9 : nil)
            XCTAssertEqual(ended.state, state)
            XCTAssertEqual(ended.error, hasError ? "why \(outcome.rawValue)" : nil)
            XCTAssertEqual(try store.attempts(trialID: trial.id).last?.outcome, outcome)
            XCTAssertEqual(try store.transitions(trialID: trial.id).last?.reason, "why \(outcome.rawValue)")
        }
        XCTAssertEqual(try store.trials(sweepID: sweep.id, state: .timedOut).first?.termSignal, 9)
    }

    func testIllegalTransitionsThrowNamingTrialFromAndTo() throws {
        let (store, sweep) = try makeStore()
        // Queued: cannot exit, cannot be interrupted.
        let queued = try store.enqueueTrial(sweepID: sweep.id, params: [:], seed: 1)
        for outcome in [AttemptOutcome.completed, .stoppedEarly, .failed, .timedOut] {
            XCTAssertThrowsStoreError(
                .illegalTransition(sweep: "s", trialNumber: 1, from: .queued, to: outcome.terminalTrialState!),
                try store.recordExit(trialID: queued.id, outcome: outcome, reason: "x"))
        }
        XCTAssertThrowsStoreError(.illegalTransition(sweep: "s", trialNumber: 1, from: .queued, to: .queued),
                                  try store.markInterrupted(trialID: queued.id, reason: "x"))
        XCTAssertThrowsError(try store.recordExit(trialID: queued.id, outcome: .cancelled, reason: "x"))

        // Running: cannot start again or be cancelled as if queued.
        try store.startAttempt(trialID: queued.id)
        XCTAssertThrowsStoreError(.illegalTransition(sweep: "s", trialNumber: 1, from: .running, to: .running),
                                  try store.startAttempt(trialID: queued.id))
        XCTAssertThrowsStoreError(.illegalTransition(sweep: "s", trialNumber: 1, from: .running, to: .cancelled),
                                  try store.cancelTrial(trialID: queued.id, reason: "x"))
        XCTAssertThrowsError(try store.recordExit(trialID: queued.id, outcome: .interrupted, reason: "x"))

        // Every terminal state: nothing leads out.
        let terminalOutcomes: [AttemptOutcome] = [.completed, .stoppedEarly, .failed, .timedOut, .cancelled]
        for outcome in terminalOutcomes {
            let trial = try store.enqueueTrial(sweepID: sweep.id, params: [:], seed: 1)
            try store.startAttempt(trialID: trial.id)
            try store.recordExit(trialID: trial.id, outcome: outcome, reason: "end")
            let state = outcome.terminalTrialState!
            XCTAssertThrowsStoreError(
                .illegalTransition(sweep: "s", trialNumber: trial.number, from: state, to: .running),
                try store.startAttempt(trialID: trial.id))
            for next in terminalOutcomes {
                XCTAssertThrowsStoreError(
                    .illegalTransition(sweep: "s", trialNumber: trial.number, from: state, to: next.terminalTrialState!),
                    try store.recordExit(trialID: trial.id, outcome: next, reason: "again"))
            }
            XCTAssertThrowsStoreError(
                .illegalTransition(sweep: "s", trialNumber: trial.number, from: state, to: .failed),
                try store.markInterrupted(trialID: trial.id, reason: "gone"))
            XCTAssertThrowsStoreError(
                .illegalTransition(sweep: "s", trialNumber: trial.number, from: state, to: .cancelled),
                try store.cancelTrial(trialID: trial.id, reason: "x"))
        }
        let message = SweepStoreError.illegalTransition(sweep: "s", trialNumber: 3, from: .completed, to: .running)
            .description
        XCTAssertEqual(message, "trial #3 of sweep 's': illegal transition completed -> running")
        // Refused transitions leave no trace in the log.
        XCTAssertEqual(try store.transitions(trialID: queued.id).map(\.toState), [.queued, .running])
    }

    func testAnInterruptionNotOfTheTrialsDoingNeverUsesUpAnAttempt() throws {
        let (store, sweep) = try makeStore()
        let trial = try store.enqueueTrial(sweepID: sweep.id, params: [:], seed: 3, maxAttempts: 1)
        for pid: Int32 in [10, 11, 12] {
            try store.startAttempt(trialID: trial.id, pid: pid)
            let stopped = try store.markInterrupted(trialID: trial.id, reason: "scheduler received signal 2",
                                                    countsAgainstAttempts: false)
            XCTAssertEqual(stopped.state, .queued)
            XCTAssertEqual(stopped.attemptsLeft, 1, "stopping the scheduler left the one attempt")
        }
        try store.startAttempt(trialID: trial.id, pid: 13)
        let crashed = try store.markInterrupted(trialID: trial.id, reason: "process 13 is gone")
        XCTAssertEqual(crashed.state, .failed, "a crash of its own still counts")
        XCTAssertEqual(crashed.attempt, 4)
        XCTAssertEqual(try store.transitions(trialID: trial.id).filter { $0.toState == .queued }.count, 4)
        XCTAssertTrue(try store.transitions(trialID: trial.id)[2].reason.contains("not counted against max_attempts"))
    }

    func testInterruptionRequeuesUntilAttemptsAreExhaustedThenFails() throws {
        let clock = TestClock(0)
        let (store, sweep) = try makeStore(clock: clock)
        let trial = try store.enqueueTrial(sweepID: sweep.id, params: [:], seed: 3, maxAttempts: 3)
        try store.startAttempt(trialID: trial.id, pid: 10)
        try store.recordCheckpoint(trialID: trial.id, path: "/ck/t1-200", updates: 200)

        let first = try store.markInterrupted(trialID: trial.id, reason: "process 10 is gone", termSignal: 9)
        XCTAssertEqual(first.state, .queued)
        XCTAssertEqual(first.attempt, 1)
        XCTAssertEqual(first.attemptsLeft, 2)
        XCTAssertEqual(first.lastCheckpointPath, "/ck/t1-200")
        XCTAssertNil(first.error)

        let second = try store.startAttempt(trialID: trial.id, pid: 11, resumedFrom: "/ck/t1-200")
        XCTAssertEqual(second.attempt, 2)
        XCTAssertEqual(second.resumedFromCheckpoint, "/ck/t1-200")
        XCTAssertEqual(try store.markInterrupted(trialID: trial.id, reason: "scheduler restarted").state, .queued)

        try store.startAttempt(trialID: trial.id, pid: 12)
        let last = try store.markInterrupted(trialID: trial.id, reason: "process 12 is gone")
        XCTAssertEqual(last.state, .failed)
        XCTAssertEqual(last.attempt, 3)
        XCTAssertEqual(last.error, "interrupted: process 12 is gone; no attempts left (3 of 3)")
        XCTAssertNotNil(last.endedAt)

        let attempts = try store.attempts(trialID: trial.id)
        XCTAssertEqual(attempts.map(\.attempt), [1, 2, 3])
        XCTAssertEqual(attempts.map(\.pid), [10, 11, 12])
        XCTAssertEqual(attempts.map(\.outcome), [.interrupted, .interrupted, .interrupted])
        XCTAssertEqual(attempts.map(\.reason), ["process 10 is gone", "scheduler restarted", "process 12 is gone"])
        XCTAssertEqual(attempts.first?.termSignal, 9)
        XCTAssertEqual(try store.transitions(trialID: trial.id).map(\.toState),
                       [.queued, .running, .queued, .running, .queued, .running, .failed])
        XCTAssertThrowsStoreError(.illegalTransition(sweep: "s", trialNumber: 1, from: .failed, to: .running),
                                  try store.startAttempt(trialID: trial.id))
    }

    func testRecordProcessFillsThePidOfTheRunningAttemptOnly() throws {
        let (store, sweep) = try makeStore()
        let trial = try store.enqueueTrial(sweepID: sweep.id, params: [:], seed: 1)
        let attempt = try store.startAttempt(trialID: trial.id)
        XCTAssertNil(attempt.pid)
        try store.recordProcess(trialID: trial.id, attempt: 1, pid: 777, processStart: "t0", externalID: "job-1")
        let running = try store.runningTrials(sweepID: sweep.id)
        XCTAssertEqual(running.count, 1)
        XCTAssertEqual(running.first?.attempt.pid, 777)
        XCTAssertEqual(running.first?.attempt.processStart, "t0")
        XCTAssertEqual(running.first?.attempt.externalID, "job-1")
        XCTAssertThrowsError(try store.recordProcess(trialID: trial.id, attempt: 2, pid: 1))
    }

    func testCancelQueuedCancelsOnlyQueuedTrialsAndLogsEach() throws {
        let (store, sweep) = try makeStore()
        let trials = try store.enqueueTrials(sweepID: sweep.id, (0..<4).map { NewTrial(params: [:], seed: Int64($0)) })
        try store.startAttempt(trialID: trials[0].id)
        XCTAssertEqual(try store.cancelQueued(sweepID: sweep.id, reason: "sweep cancelled"), 3)
        XCTAssertEqual(try store.trials(sweepID: sweep.id).map(\.state), [.running, .cancelled, .cancelled, .cancelled])
        XCTAssertEqual(try store.trials(sweepID: sweep.id, state: .cancelled).map(\.error),
                       Array(repeating: "sweep cancelled", count: 3))
        XCTAssertEqual(try store.transitions(trialID: trials[3].id).last?.fromState, .queued)
        XCTAssertEqual(try store.transitions(trialID: trials[3].id).last?.toState, .cancelled)
        XCTAssertEqual(try store.cancelQueued(sweepID: sweep.id, reason: "again"), 0)
    }

    func testFinishedSweepRefusesNewTrialsAndStarts() throws {
        let (store, sweep) = try makeStore()
        let trial = try store.enqueueTrial(sweepID: sweep.id, params: [:], seed: 1)
        let finished = try store.finishSweep(id: sweep.id, state: .cancelled)
        XCTAssertEqual(finished.state, .cancelled)
        XCTAssertNotNil(finished.finishedAt)
        XCTAssertThrowsStoreError(.sweepNotActive(name: "s", state: .cancelled),
                                  try store.enqueueTrial(sweepID: sweep.id, params: [:], seed: 2))
        XCTAssertThrowsStoreError(.sweepNotActive(name: "s", state: .cancelled),
                                  try store.startAttempt(trialID: trial.id))
        XCTAssertThrowsStoreError(.sweepNotActive(name: "s", state: .cancelled),
                                  try store.finishSweep(id: sweep.id))
    }

    func testTransitionLogIsAppendOnly() throws {
        let (store, sweep) = try makeStore()
        let trial = try store.enqueueTrial(sweepID: sweep.id, params: [:], seed: 1)
        XCTAssertThrowsError(try store.writer.write { db in
            try db.execute(sql: "UPDATE trial_transition SET reason = 'rewritten' WHERE trial_id = ?",
                           arguments: [trial.id])
        })
        XCTAssertEqual(try store.transitions(trialID: trial.id).map(\.reason), ["enqueued"])
    }
}
