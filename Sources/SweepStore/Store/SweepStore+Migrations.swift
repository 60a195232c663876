import GRDB

extension SweepStore {
    /// The only source of the schema version. Migrations are never edited once merged:
    /// a change is a new `vN-…` migration appended here and described in
    /// `storage/schema.md`.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-initial", migrate: createV1Schema)
        migrator.registerMigration("v2-attempt-load", migrate: addAttemptLoad)
        migrator.registerMigration("v3-selection-provenance", migrate: addSelectionAndProvenance)
        migrator.registerMigration("v4-identity-attempt-output", migrate: addIdentityAndAttemptOutput)
        migrator.registerMigration("v5-raw-and-normalised-objective", migrate: storeRawAndNormalisedObjective)
        migrator.registerMigration("v6-sweep-kind-comparison-arms", migrate: addKindAndComparison)
        migrator.registerMigration("v7-trial-page-indexes", migrate: addTrialPageIndexes)
        return migrator
    }()

    /// What a sweep is, and a comparison's identity (arms in order with the keys they
    /// set, reference, seeds, budget, report metrics, bootstrap settings), in tables of
    /// their own: readers (`compare`, `report`, the service) read them instead of
    /// re-parsing `sweep.spec`.
    ///
    /// `sweep.kind` is NULL for sweeps recorded before v6: SQL cannot parse their spec
    /// text (and the store does not know the spec formats), so the first scheduler or CLI
    /// that opens such a sweep records its kind and comparison (`recordKind`); until
    /// then readers fall back to the text, without writing.
    private static func addKindAndComparison(_ db: Database) throws {
        try db.alter(table: "sweep") { t in
            t.add(column: "kind", .text).check(sql: "kind IS NULL OR kind IN ('sweep', 'comparison')")
        }
        try db.create(table: "comparison") { t in
            t.primaryKey("sweep_id", .integer).references("sweep", onDelete: .cascade)
            t.column("reference", .text).notNull()
            t.column("seeds", .text).notNull()
            t.column("budget_kind", .text).notNull().check(sql: "budget_kind IN ('updates', 'seconds')")
            t.column("budget", .double).notNull().check(sql: "budget > 0")
            t.column("report_metrics", .text).notNull()
            t.column("bootstrap_resamples", .integer).notNull()
            t.column("bootstrap_seed", .integer).notNull()
        }
        try db.create(table: "comparison_arm") { t in
            t.column("sweep_id", .integer).notNull().references("comparison", onDelete: .cascade)
            t.column("position", .integer).notNull().check(sql: "position >= 0")
            t.column("name", .text).notNull()
            t.column("params", .text).notNull()
            t.primaryKey(["sweep_id", "position"])
            t.uniqueKey(["sweep_id", "name"])
        }
    }

    /// The objective under names that say which form it is: every table that keeps it
    /// keeps both the raw value (as reported; what is printed) and the normalised one
    /// (lower is better; what is compared), each with the non-finite kind convention.
    /// The scheduler normalises once, at ingest (`Objective`); before v5 `report.value`
    /// was raw and `rung_result.value` normalised, and every reader applied the goal.
    ///
    /// Existing rows are backfilled from the sweep's goal. `report` and `rung_result`
    /// are rebuilt (nothing references them), so their columns read in a sensible
    /// order; `trial` (referenced by every other table) is altered in place. `best` now
    /// orders by `normalised_final_value` ascending whatever the goal, so its index
    /// moves to that column.
    private static func storeRawAndNormalisedObjective(_ db: Database) throws {
        // Literal lists, never the live enums (see v1).
        let valueKinds = "'finite', 'nan', 'posinf', 'neginf'"
        // SQL for a raw value / kind column normalised under the goal of the row's sweep.
        func normalisedNumber(_ raw: String, goalOf sweepID: String) -> String {
            "CASE (SELECT goal FROM sweep WHERE id = \(sweepID)) WHEN 'maximize' THEN -\(raw) ELSE \(raw) END"
        }
        func normalisedKind(_ kind: String, goalOf sweepID: String) -> String {
            """
            CASE WHEN (SELECT goal FROM sweep WHERE id = \(sweepID)) = 'maximize' \
            THEN CASE \(kind) WHEN 'posinf' THEN 'neginf' WHEN 'neginf' THEN 'posinf' ELSE \(kind) END \
            ELSE \(kind) END
            """
        }

        // report: value, value_kind → raw_value, raw_value_kind + normalised_value, normalised_value_kind.
        try db.create(table: "report_v5") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("sweep_id", .integer).notNull().references("sweep", onDelete: .cascade)
            t.column("trial_id", .integer).notNull().references("trial", onDelete: .cascade)
            t.column("attempt", .integer).notNull()
            t.column("step", .integer).notNull()
            t.column("tokens", .integer).notNull()
            t.column("train_seconds", .double).notNull()
            t.column("eval_seconds", .double).notNull()
            t.column("metrics", .text).notNull()
            t.column("raw_value", .double)
            t.column("raw_value_kind", .text).notNull().check(sql: "raw_value_kind IN (\(valueKinds))")
            t.column("normalised_value", .double)
            t.column("normalised_value_kind", .text).notNull().check(sql: "normalised_value_kind IN (\(valueKinds))")
            t.column("recorded_at", .double).notNull()
            t.foreignKey(["trial_id", "attempt"], references: "trial_attempt",
                         columns: ["trial_id", "attempt"], onDelete: .cascade)
            t.check(sql: "(raw_value_kind = 'finite') = (raw_value IS NOT NULL)")
            t.check(sql: "(normalised_value_kind = 'finite') = (normalised_value IS NOT NULL)")
        }
        try db.execute(sql: """
            INSERT INTO report_v5 (id, sweep_id, trial_id, attempt, step, tokens, train_seconds, eval_seconds, metrics,
                                   raw_value, raw_value_kind, normalised_value, normalised_value_kind, recorded_at)
            SELECT id, sweep_id, trial_id, attempt, step, tokens, train_seconds, eval_seconds, metrics,
                   value, value_kind, \(normalisedNumber("value", goalOf: "report.sweep_id")),
                   \(normalisedKind("value_kind", goalOf: "report.sweep_id")), recorded_at
            FROM report
            """)
        try db.drop(table: "report")
        try db.rename(table: "report_v5", to: "report")
        try db.create(index: "report_on_trial_step", on: "report", columns: ["trial_id", "step"])
        try db.create(index: "report_on_sweep_step", on: "report", columns: ["sweep_id", "step", "trial_id", "attempt"])

        // rung_result: value (normalised) → normalised_value, plus the raw_value it came from.
        try db.create(table: "rung_result_v5") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("sweep_id", .integer).notNull().references("sweep", onDelete: .cascade)
            t.column("trial_id", .integer).notNull().references("trial", onDelete: .cascade)
            t.column("bracket", .integer).notNull()
            t.column("rung", .integer).notNull()
            t.column("resource", .double).notNull()
            t.column("raw_value", .double).notNull()
            t.column("normalised_value", .double).notNull()
            t.column("recorded_at", .double).notNull()
            t.uniqueKey(["trial_id", "bracket", "rung"])
        }
        try db.execute(sql: """
            INSERT INTO rung_result_v5 (id, sweep_id, trial_id, bracket, rung, resource, raw_value, normalised_value,
                                        recorded_at)
            SELECT id, sweep_id, trial_id, bracket, rung, resource,
                   \(normalisedNumber("value", goalOf: "rung_result.sweep_id")), value, recorded_at
            FROM rung_result
            """)
        try db.drop(table: "rung_result")
        try db.rename(table: "rung_result_v5", to: "rung_result")
        try db.create(index: "rung_result_on_sweep_bracket_rung_normalised_value", on: "rung_result",
                      columns: ["sweep_id", "bracket", "rung", "normalised_value"])

        // trial: final_value, final_value_kind → raw_final_value, raw_final_value_kind + the normalised pair.
        try db.drop(index: "trial_on_sweep_final_value")
        try db.alter(table: "trial") { t in
            t.rename(column: "final_value", to: "raw_final_value")
            t.rename(column: "final_value_kind", to: "raw_final_value_kind")
            t.add(column: "normalised_final_value_kind", .text)
                .check(sql: "normalised_final_value_kind IS NULL OR normalised_final_value_kind IN (\(valueKinds))")
            t.add(column: "normalised_final_value", .double)
                .check(sql: """
                    (normalised_final_value_kind IS NULL AND normalised_final_value IS NULL) \
                    OR (normalised_final_value_kind = 'finite') = (normalised_final_value IS NOT NULL)
                    """)
        }
        try db.execute(sql: """
            UPDATE trial SET normalised_final_value = \(normalisedNumber("raw_final_value", goalOf: "trial.sweep_id")),
                             normalised_final_value_kind = \(normalisedKind("raw_final_value_kind", goalOf: "trial.sweep_id"))
            WHERE raw_final_value_kind IS NOT NULL
            """)
        try db.create(index: "trial_on_sweep_state_normalised_final_value", on: "trial",
                      columns: ["sweep_id", "state", "normalised_final_value_kind", "normalised_final_value"])
    }

    /// Indexes for the service's trial pages (keyset pagination, `trialPage`): by value
    /// and by start time, each with the number as tie-break, per sweep and per sweep and
    /// state, so that a page is one index range and never a sort of the sweep's trials.
    private static func addTrialPageIndexes(_ db: Database) throws {
        try db.create(index: "trial_on_sweep_raw_value_number", on: "trial", columns: ["sweep_id", "raw_final_value", "number"])
        try db.create(index: "trial_on_sweep_state_raw_value_number", on: "trial",
                      columns: ["sweep_id", "state", "raw_final_value", "number"])
        try db.create(index: "trial_on_sweep_started_number", on: "trial", columns: ["sweep_id", "started_at", "number"])
        try db.create(index: "trial_on_sweep_state_started_number", on: "trial",
                      columns: ["sweep_id", "state", "started_at", "number"])
    }

    /// `store_identity`: one random id per database, so that a runs directory can say
    /// which database its trial directories belong to (two databases sharing one would
    /// overwrite each other's configs and checkpoints). `trial_attempt.output_path` and
    /// `output_offset`: the file the engine's stdout goes to and how far the scheduler
    /// has recorded it, so that a restarted scheduler re-attaches to a trial that
    /// outlived its predecessor and reads on from there; `slot`: which of the sweep's
    /// slots it holds (its GPUs), so that a re-attached trial keeps it.
    private static func addIdentityAndAttemptOutput(_ db: Database) throws {
        try db.create(table: "store_identity") { t in
            t.column("id", .text).notNull()
        }
        try db.execute(sql: "INSERT INTO store_identity (id) VALUES (lower(hex(randomblob(16))))")
        try db.alter(table: "trial_attempt") { t in
            t.add(column: "output_path", .text)
            t.add(column: "output_offset", .integer).notNull().defaults(to: 0)
                .check(sql: "output_offset >= 0")
            t.add(column: "slot", .integer)
        }
    }

    /// The machine's load while an attempt ran (mean of the 1-minute load average sampled
    /// by the scheduler), so that wall-clock comparisons can tell when arms ran on a
    /// differently busy machine. Null for attempts recorded before v2 or never sampled.
    private static func addAttemptLoad(_ db: Database) throws {
        try db.alter(table: "trial_attempt") { t in
            t.add(column: "load_mean", .double).check(sql: "load_mean IS NULL OR load_mean >= 0")
            t.add(column: "load_samples", .integer).notNull().defaults(to: 0)
        }
    }

    /// Whether a sweep was allowed to select on the test split (`metric.allow_test_split`),
    /// so every reader can warn without re-parsing the spec; and what produced it (vsweep
    /// version, git commit, engine argv, content hashes of base and data) as JSON.
    private static func addSelectionAndProvenance(_ db: Database) throws {
        try db.alter(table: "sweep") { t in
            t.add(column: "selects_on_test", .integer).notNull().defaults(to: 0)
                .check(sql: "selects_on_test IN (0, 1)")
            t.add(column: "provenance", .text)
        }
    }

    /// Times are REAL seconds since 1970-01-01 UTC. Enum columns are text with a CHECK.
    /// A possibly non-finite number is a nullable REAL plus a `*_kind` text column.
    private static func createV1Schema(_ db: Database) throws {
        // Literal lists, never the live enums: editing an enum must not change what
        // "v1" creates (a later migration changes a list).
        let trialStates = "'queued', 'running', 'completed', 'stopped_early', 'failed', 'timed_out', 'cancelled'"
        let valueKinds = "'finite', 'nan', 'posinf', 'neginf'"

        try db.create(table: "sweep") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("name", .text).notNull().unique()
            t.column("spec", .text).notNull()
            t.column("spec_hash", .text).notNull()
            t.column("metric", .text).notNull()
            t.column("goal", .text).notNull().check(sql: "goal IN ('minimize', 'maximize')")
            t.column("state", .text).notNull()
                .check(sql: "state IN ('active', 'finished', 'failed', 'cancelled')")
            t.column("created_at", .double).notNull()
            t.column("finished_at", .double)
            t.column("max_trials", .integer).check(sql: "max_trials IS NULL OR max_trials > 0")
            t.column("max_trial_seconds", .double).check(sql: "max_trial_seconds IS NULL OR max_trial_seconds > 0")
            // Budget counters kept in step with trial/attempt rows in the same
            // transactions, so a budget check costs the same at trial 10 and 10 000.
            t.column("trials_started", .integer).notNull().defaults(to: 0)
            t.column("ended_attempt_seconds", .double).notNull().defaults(to: 0)
        }

        try db.create(table: "trial") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("sweep_id", .integer).notNull().references("sweep", onDelete: .cascade)
            t.column("number", .integer).notNull().check(sql: "number >= 1")
            t.column("params", .text).notNull()
            t.column("seed", .integer).notNull()
            t.column("bracket", .integer)
            t.column("arm", .text)
            t.column("state", .text).notNull().check(sql: "state IN (\(trialStates))")
            t.column("attempt", .integer).notNull().defaults(to: 0)
            t.column("max_attempts", .integer).notNull().check(sql: "max_attempts >= 1")
            t.column("created_at", .double).notNull()
            t.column("started_at", .double)
            t.column("ended_at", .double)
            t.column("updates_done", .integer).notNull().defaults(to: 0)
            t.column("train_seconds", .double).notNull().defaults(to: 0)
            t.column("final_value", .double)
            t.column("final_value_kind", .text)
                .check(sql: "final_value_kind IS NULL OR final_value_kind IN (\(valueKinds))")
            t.column("last_checkpoint_path", .text)
            t.column("last_checkpoint_updates", .integer)
            t.column("error", .text)
            t.column("exit_status", .integer)
            t.column("term_signal", .integer)
            t.check(sql: "attempt >= 0 AND attempt <= max_attempts")
            t.check(sql: """
                (final_value_kind IS NULL AND final_value IS NULL) \
                OR (final_value_kind = 'finite') = (final_value IS NOT NULL)
                """)
        }
        try db.create(index: "trial_on_sweep_number", on: "trial", columns: ["sweep_id", "number"], unique: true)
        try db.create(index: "trial_on_sweep_state", on: "trial", columns: ["sweep_id", "state", "number"])
        try db.create(index: "trial_on_state", on: "trial", columns: ["state"])
        try db.create(index: "trial_on_sweep_final_value", on: "trial",
                      columns: ["sweep_id", "state", "final_value_kind", "final_value"])

        try db.create(table: "trial_attempt") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("trial_id", .integer).notNull().references("trial", onDelete: .cascade)
            t.column("attempt", .integer).notNull().check(sql: "attempt >= 1")
            t.column("executor", .text).notNull()
            t.column("pid", .integer)
            t.column("process_start", .text)
            t.column("host", .text).notNull()
            t.column("external_id", .text)
            t.column("started_at", .double).notNull()
            t.column("ended_at", .double)
            t.column("outcome", .text)
                .check(sql: "outcome IS NULL OR outcome IN ('completed', 'stopped_early', 'failed', 'timed_out', 'cancelled', 'interrupted')")
            t.column("reason", .text)
            t.column("exit_status", .integer)
            t.column("term_signal", .integer)
            t.column("resumed_from_checkpoint", .text)
            // Also the parent key of report's (trial_id, attempt) foreign key.
            t.uniqueKey(["trial_id", "attempt"])
        }

        try db.create(table: "report") { t in
            t.autoIncrementedPrimaryKey("id")
            // Redundant with trial.sweep_id, so the median rule's "every peer's value at
            // this step" is one range of report_on_sweep_step instead of a probe per trial.
            t.column("sweep_id", .integer).notNull().references("sweep", onDelete: .cascade)
            t.column("trial_id", .integer).notNull().references("trial", onDelete: .cascade)
            t.column("attempt", .integer).notNull()
            t.column("step", .integer).notNull()
            t.column("tokens", .integer).notNull()
            t.column("train_seconds", .double).notNull()
            t.column("eval_seconds", .double).notNull()
            t.column("metrics", .text).notNull()
            t.column("value", .double)
            t.column("value_kind", .text).notNull().check(sql: "value_kind IN (\(valueKinds))")
            t.column("recorded_at", .double).notNull()
            t.foreignKey(["trial_id", "attempt"], references: "trial_attempt",
                         columns: ["trial_id", "attempt"], onDelete: .cascade)
            t.check(sql: "(value_kind = 'finite') = (value IS NOT NULL)")
        }
        try db.create(index: "report_on_trial_step", on: "report", columns: ["trial_id", "step"])
        try db.create(index: "report_on_sweep_step", on: "report", columns: ["sweep_id", "step", "trial_id", "attempt"])

        try db.create(table: "rung_result") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("sweep_id", .integer).notNull().references("sweep", onDelete: .cascade)
            t.column("trial_id", .integer).notNull().references("trial", onDelete: .cascade)
            t.column("bracket", .integer).notNull()
            t.column("rung", .integer).notNull()
            t.column("resource", .double).notNull()
            t.column("value", .double).notNull()
            t.column("recorded_at", .double).notNull()
            t.uniqueKey(["trial_id", "bracket", "rung"])
        }
        try db.create(index: "rung_result_on_sweep_bracket_rung_value", on: "rung_result",
                      columns: ["sweep_id", "bracket", "rung", "value"])

        try db.create(table: "decision") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("trial_id", .integer).notNull().references("trial", onDelete: .cascade)
            t.column("step", .integer).notNull()
            t.column("rule", .text).notNull()
            t.column("decision", .text).notNull()
                .check(sql: "decision IN ('continue', 'stop')")
            t.column("reason", .text).notNull()
            t.column("detail", .text).notNull()
            t.column("recorded_at", .double).notNull()
        }
        try db.create(index: "decision_on_trial_step", on: "decision", columns: ["trial_id", "step"])

        try db.create(table: "trial_transition") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("trial_id", .integer).notNull().references("trial", onDelete: .cascade)
            t.column("attempt", .integer).notNull()
            t.column("from_state", .text).check(sql: "from_state IS NULL OR from_state IN (\(trialStates))")
            t.column("to_state", .text).notNull().check(sql: "to_state IN (\(trialStates))")
            t.column("reason", .text).notNull()
            t.column("at", .double).notNull()
        }
        try db.create(index: "trial_transition_on_trial", on: "trial_transition", columns: ["trial_id", "id"])
        // The log is history: rows are appended, never rewritten. (Deleting a sweep
        // still cascades through it.)
        try db.execute(sql: """
            CREATE TRIGGER trial_transition_append_only BEFORE UPDATE ON trial_transition
            BEGIN SELECT RAISE(ABORT, 'trial_transition is append-only'); END
            """)
    }
}
