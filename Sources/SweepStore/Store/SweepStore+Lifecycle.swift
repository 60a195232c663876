import Vocabulary
import Foundation
import Vocabulary
import GRDB

/// The trial lifecycle. Each method is one transaction that validates the transition,
/// updates the trial and its attempt, keeps the sweep's budget counters in step, and
/// appends to `trial_transition`.
extension SweepStore {
    /// Enqueues one trial; its number is the sweep's largest plus one, allocated by the
    /// INSERT itself inside the write transaction, so concurrent schedulers on the same
    /// file cannot draw the same number (the unique index would refuse it anyway).
    public func enqueueTrial(sweepID: Int64, params: [String: ParamValue], seed: Int64, bracket: Int? = nil,
                             arm: String? = nil, maxAttempts: Int = 1) throws -> Trial {
        let trials = try enqueueTrials(sweepID: sweepID, [
            NewTrial(params: params, seed: seed, bracket: bracket, arm: arm, maxAttempts: maxAttempts),
        ])
        return trials[0]
    }

    /// Enqueues several trials in one transaction, numbered in the order given.
    public func enqueueTrials(sweepID: Int64, _ newTrials: [NewTrial]) throws -> [Trial] {
        var encodedParams: [String] = []
        for (index, trial) in newTrials.enumerated() {
            guard trial.maxAttempts >= 1 else {
                throw SweepStoreError.invalidInput(field: "trials[\(index)].maxAttempts",
                                                   reason: "must be >= 1, got \(trial.maxAttempts)")
            }
            encodedParams.append(try StoredJSON.encodeParams(trial.params))
        }
        let at = now().timeIntervalSince1970
        return try write { db in
            try Self.requireActiveSweep(db, id: sweepID)
            let insert = try db.cachedStatement(sql: """
                INSERT INTO trial (sweep_id, number, params, seed, bracket, arm, state, attempt, max_attempts,
                                   created_at)
                SELECT ?, COALESCE(MAX(number), 0) + 1, ?, ?, ?, ?, ?, 0, ?, ? FROM trial WHERE sweep_id = ?
                """)
            var trials: [Trial] = []
            for (trial, params) in zip(newTrials, encodedParams) {
                try insert.execute(arguments: [sweepID, params, trial.seed, trial.bracket, trial.arm,
                                               TrialState.queued, trial.maxAttempts, at, sweepID])
                let id = db.lastInsertedRowID
                try Self.logTransition(db, trialID: id, attempt: 0, from: nil, to: .queued, reason: "enqueued",
                                       at: at)
                let number = try Int64.fetchOne(
                    db.cachedStatement(sql: "SELECT number FROM trial WHERE id = ?"), arguments: [id])
                guard let number else { throw SweepStoreError.trialNotFound(id: id) }  // inserted just above
                trials.append(Trial(queuedID: id, sweepID: sweepID, number: number, trial, createdAt: at))
            }
            return trials
        }
    }

    /// queued → running: opens attempt `trial.attempt + 1`. Throws `illegalTransition`
    /// unless the trial is queued, and `sweepNotActive` unless its sweep is active.
    /// `pid` may be nil when the row is committed before the spawn (see `recordProcess`);
    /// `host` defaults to this machine's name.
    @discardableResult
    public func startAttempt(trialID: Int64, executor: String = "local", pid: Int32? = nil,
                             processStart: String? = nil, host: String? = nil,
                             externalID: String? = nil,
                             resumedFrom checkpoint: String? = nil, outputPath: String? = nil,
                             slot: Int? = nil) throws -> TrialAttempt {
        let at = now().timeIntervalSince1970
        return try write { db in
            let trial = try TrialHead.fetch(db, id: trialID)
            try Self.checkTransition(db, trial, to: .running)
            try Self.requireActiveSweep(db, id: trial.sweepID)
            let attempt = trial.attempt + 1
            guard attempt <= trial.maxAttempts else {
                throw SweepStoreError.invalidInput(
                    field: "trial #\(trial.number) attempt",
                    reason: "attempt \(attempt) exceeds max_attempts \(trial.maxAttempts)")
            }
            try db.run("""
                UPDATE trial SET state = ?, attempt = ?, started_at = COALESCE(started_at, ?) WHERE id = ?
                """, [TrialState.running, attempt, at, trialID])
            try db.run("""
                INSERT INTO trial_attempt (trial_id, attempt, executor, pid, process_start, host, external_id,
                                           started_at, resumed_from_checkpoint, output_path, slot)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [trialID, attempt, executor, pid, processStart, host ?? Self.localHost, externalID, at,
                      checkpoint, outputPath, slot])
            let attemptID = db.lastInsertedRowID
            let opened = TrialAttempt(id: attemptID, trialID: trialID, attempt: attempt, executor: executor, pid: pid,
                                      processStart: processStart, host: host ?? Self.localHost,
                                      externalID: externalID, startedAt: at, resumedFromCheckpoint: checkpoint,
                                      outputPath: outputPath, slot: slot)
            if attempt == 1 {
                try db.run("UPDATE sweep SET trials_started = trials_started + 1 WHERE id = ?", [trial.sweepID])
            }
            let reason = checkpoint.map { "attempt \(attempt) resumes from \($0)" } ?? "attempt \(attempt) started"
            try Self.logTransition(db, trialID: trialID, attempt: attempt, from: .queued, to: .running,
                                   reason: reason, at: at)
            return opened
        }
    }

    /// Fills in the process of the running attempt once it is spawned. Not a state
    /// change; throws `invalidInput` if `attempt` is not the trial's running attempt.
    public func recordProcess(trialID: Int64, attempt: Int, pid: Int32?, processStart: String? = nil,
                              externalID: String? = nil) throws {
        try write { db in
            let trial = try TrialHead.fetch(db, id: trialID)
            guard trial.state == .running, trial.attempt == attempt else {
                throw SweepStoreError.invalidInput(
                    field: "trial #\(trial.number) attempt",
                    reason: "attempt \(attempt) is not running "
                        + "(trial is \(trial.state.rawValue) at attempt \(trial.attempt))")
            }
            try db.run("""
                UPDATE trial_attempt SET pid = ?, process_start = ?, external_id = COALESCE(?, external_id)
                WHERE trial_id = ? AND attempt = ?
                """, [pid, processStart, externalID, trialID, attempt])
        }
    }

    /// The machine's load while the attempt ran: the mean of `samples` readings of the
    /// 1-minute load average. Not a state change; allowed on a running or ended attempt
    /// (the scheduler records it right before the exit).
    public func recordLoad(trialID: Int64, attempt: Int, mean: Double, samples: Int) throws {
        guard mean.isFinite, mean >= 0, samples >= 1 else {
            throw SweepStoreError.invalidInput(field: "load", reason: "mean \(mean) over \(samples) samples")
        }
        try write { db in
            try db.run("UPDATE trial_attempt SET load_mean = ?, load_samples = ? WHERE trial_id = ? AND attempt = ?",
                       [mean, samples, trialID, attempt])
        }
    }

    /// running → the terminal state of `outcome` (anything but `interrupted`, which is
    /// `markInterrupted`). `reason` goes to the attempt and the log, and to
    /// `trial.error` for failed, timed-out and cancelled trials. `finalValue` is the
    /// objective at the end (raw and normalised), possibly non-finite.
    @discardableResult
    public func recordExit(trialID: Int64, outcome: AttemptOutcome, reason: String, exitStatus: Int32? = nil,
                           termSignal: Int32? = nil, finalValue: Objective? = nil) throws -> Trial {
        guard let target = outcome.terminalTrialState else {
            throw SweepStoreError.invalidInput(field: "outcome",
                                               reason: "use markInterrupted for an interrupted attempt")
        }
        let at = now().timeIntervalSince1970
        return try write { db in
            let trial = try TrialHead.fetch(db, id: trialID)
            if trial.state == .queued, target == .cancelled {
                throw SweepStoreError.invalidInput(
                    field: "trial #\(trial.number) outcome",
                    reason: "the trial is queued and has no attempt to exit; use cancelQueued")
            }
            try Self.checkTransition(db, trial, to: target)
            try Self.closeAttempt(db, trial, outcome: outcome, reason: reason, exitStatus: exitStatus,
                                  termSignal: termSignal, at: at)
            let isError = target == .failed || target == .timedOut || target == .cancelled
            try db.run("""
                UPDATE trial SET state = ?, ended_at = ?, exit_status = ?, term_signal = ?,
                                 raw_final_value = ?, raw_final_value_kind = ?,
                                 normalised_final_value = ?, normalised_final_value_kind = ?, error = ?
                WHERE id = ?
                """, [target, at, exitStatus, termSignal,
                      finalValue.flatMap { ValueKind.storedNumber($0.raw) }, finalValue.map { ValueKind(of: $0.raw) },
                      finalValue.flatMap { ValueKind.storedNumber($0.normalised) },
                      finalValue.map { ValueKind(of: $0.normalised) },
                      isError ? reason : nil, trialID])
            try Self.logTransition(db, trialID: trialID, attempt: trial.attempt, from: .running, to: target,
                                   reason: reason, at: at)
            return try Self.requireTrial(db, id: trialID)
        }
    }

    /// running → queued when attempts remain (the scheduler retries it, or resumes it
    /// from `last_checkpoint_path`), else running → failed. The attempt ends with
    /// outcome `interrupted` and `reason`. For a process that vanished, a scheduler
    /// restarted under its trials, or a crash worth retrying.
    ///
    /// `countsAgainstAttempts: false` is for interruptions that are not the trial's
    /// doing (the user stopped the scheduler, or the scheduler died and killed it on
    /// restart): the trial is always re-queued and its `max_attempts` grows by one, so
    /// that stopping and resuming a sweep any number of times never fails a trial.
    @discardableResult
    public func markInterrupted(trialID: Int64, reason: String, exitStatus: Int32? = nil,
                                termSignal: Int32? = nil, countsAgainstAttempts: Bool = true) throws -> Trial {
        let at = now().timeIntervalSince1970
        return try write { db in
            let trial = try TrialHead.fetch(db, id: trialID)
            let retry = !countsAgainstAttempts || trial.attempt < trial.maxAttempts
            let target: TrialState = retry ? .queued : .failed
            try Self.checkTransition(db, trial, to: target)
            try Self.closeAttempt(db, trial, outcome: .interrupted, reason: reason, exitStatus: exitStatus,
                                  termSignal: termSignal, at: at)
            let logReason: String
            if !countsAgainstAttempts {
                logReason = "interrupted: \(reason); re-queued, not counted against max_attempts"
                try db.run("""
                    UPDATE trial SET state = ?, exit_status = ?, term_signal = ?, max_attempts = max_attempts + 1
                    WHERE id = ?
                    """, [target, exitStatus, termSignal, trialID])
            } else if retry {
                logReason = "interrupted: \(reason); re-queued after attempt \(trial.attempt) of \(trial.maxAttempts)"
                try db.run("UPDATE trial SET state = ?, exit_status = ?, term_signal = ? WHERE id = ?",
                           [target, exitStatus, termSignal, trialID])
            } else {
                logReason = "interrupted: \(reason); no attempts left (\(trial.attempt) of \(trial.maxAttempts))"
                try db.run("""
                    UPDATE trial SET state = ?, ended_at = ?, exit_status = ?, term_signal = ?, error = ? WHERE id = ?
                    """, [target, at, exitStatus, termSignal, logReason, trialID])
            }
            try Self.logTransition(db, trialID: trialID, attempt: trial.attempt, from: .running, to: target,
                                   reason: logReason, at: at)
            return try Self.requireTrial(db, id: trialID)
        }
    }

    /// queued → cancelled for every queued trial of the sweep, in one transaction.
    /// Returns how many were cancelled.
    @discardableResult
    public func cancelQueued(sweepID: Int64, reason: String) throws -> Int {
        let at = now().timeIntervalSince1970
        return try write { db in
            _ = try Self.requireSweep(db, id: sweepID)
            try db.run("""
                INSERT INTO trial_transition (trial_id, attempt, from_state, to_state, reason, at)
                SELECT id, attempt, ?, ?, ?, ? FROM trial WHERE sweep_id = ? AND state = ?
                """, [TrialState.queued, TrialState.cancelled, reason, at, sweepID, TrialState.queued])
            try db.run("""
                UPDATE trial SET state = ?, ended_at = ?, error = ? WHERE sweep_id = ? AND state = ?
                """, [TrialState.cancelled, at, reason, sweepID, TrialState.queued])
            return db.changesCount
        }
    }

    /// Records the latest checkpoint a running trial wrote (for resume after an
    /// interruption). Not a state change.
    public func recordCheckpoint(trialID: Int64, path: String, updates: Int64) throws {
        try write { db in
            let trial = try TrialHead.fetch(db, id: trialID)
            guard trial.state == .running else {
                throw SweepStoreError.invalidInput(
                    field: "trial #\(trial.number) checkpoint", reason: "trial is \(trial.state.rawValue), not running")
            }
            try db.run("UPDATE trial SET last_checkpoint_path = ?, last_checkpoint_updates = ? WHERE id = ?",
                       [path, updates, trialID])
        }
    }

    // MARK: - Helpers shared by the transitions

    /// Looked up once: Foundation's `hostName` may consult the resolver, too slow for
    /// every trial start.
    static let localHost: String = ProcessInfo.processInfo.hostName

    static func requireTrial(_ db: Database, id: Int64) throws -> Trial {
        let trial = try Trial.fetchOne(db.cachedStatement(sql: "SELECT \(Trial.selection) FROM trial WHERE id = ?"),
                                       arguments: [id])
        guard let trial else { throw SweepStoreError.trialNotFound(id: id) }
        return trial
    }

    /// Throws `sweepNotActive` unless the sweep exists and is active.
    static func requireActiveSweep(_ db: Database, id: Int64) throws {
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT name, state FROM sweep WHERE id = ?"),
                                   arguments: [id])
        guard let row else { throw SweepStoreError.sweepNotFound("with id \(id)") }
        let state: SweepState = try row.decode(atIndex: 1)
        guard state == .active else {
            throw SweepStoreError.sweepNotActive(name: try row.decode(atIndex: 0), state: state)
        }
    }

    static func checkTransition(_ db: Database, _ trial: TrialHead, to target: TrialState) throws {
        guard trial.state.canMove(to: target) else {
            throw SweepStoreError.illegalTransition(sweep: try sweepName(db, trial), trialNumber: trial.number,
                                                    from: trial.state, to: target)
        }
    }

    static func sweepName(_ db: Database, _ trial: TrialHead) throws -> String {
        try String.fetchOne(db.cachedStatement(sql: "SELECT name FROM sweep WHERE id = ?"), arguments: [trial.sweepID])
            ?? "#\(trial.sweepID)"
    }

    /// Ends the trial's current attempt and adds its duration to the sweep's counter.
    private static func closeAttempt(_ db: Database, _ trial: TrialHead, outcome: AttemptOutcome, reason: String,
                                     exitStatus: Int32?, termSignal: Int32?, at: Double) throws {
        try db.run("""
            UPDATE sweep SET ended_attempt_seconds = ended_attempt_seconds
                + MAX(0, ? - (SELECT started_at FROM trial_attempt WHERE trial_id = ? AND attempt = ?))
            WHERE id = ?
            """, [at, trial.id, trial.attempt, trial.sweepID])
        try db.run("""
            UPDATE trial_attempt SET ended_at = ?, outcome = ?, reason = ?, exit_status = ?, term_signal = ?
            WHERE trial_id = ? AND attempt = ? AND ended_at IS NULL
            """, [at, outcome, reason, exitStatus, termSignal, trial.id, trial.attempt])
        guard db.changesCount == 1 else {
            throw SweepStoreError.corruptRow(
                table: "trial_attempt", column: "ended_at",
                detail: "trial #\(trial.number) is running but attempt \(trial.attempt) is not open")
        }
    }

    static func logTransition(_ db: Database, trialID: Int64, attempt: Int, from: TrialState?, to: TrialState,
                              reason: String, at: Double) throws {
        try db.run("""
            INSERT INTO trial_transition (trial_id, attempt, from_state, to_state, reason, at)
            VALUES (?, ?, ?, ?, ?, ?)
            """, [trialID, attempt, from, to, reason, at])
    }
}
