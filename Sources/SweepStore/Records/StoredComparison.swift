import Foundation
import GRDB
import Vocabulary

/// A comparison's identity as the store keeps it (tables `comparison` and
/// `comparison_arm`, v6): everything the analysis needs, so that no reader re-parses
/// the spec text. Written with the sweep (`createSweep(comparison:)`); for a sweep
/// recorded before v6, by the first scheduler or CLI that opens it
/// (`recordKind(sweepID:comparison:)`).
public struct StoredComparison: Sendable, Equatable {
    public struct Arm: Sendable, Equatable {
        public var name: String
        /// The config keys the arm sets on top of the base trial config (dotted key →
        /// scalar).
        public var params: [String: ParamValue]

        public init(name: String, params: [String: ParamValue]) {
            self.name = name
            self.params = params
        }
    }

    /// How every arm's budget is matched.
    public enum Budget: Sendable, Equatable {
        case updates(Int)
        case seconds(Double)
    }

    /// In spec order (`comparison_arm.position`).
    public var arms: [Arm]
    /// The arm the others are compared to.
    public var reference: String
    /// In spec order; every arm runs once per seed.
    public var seeds: [Int64]
    public var budget: Budget
    /// Further metrics shown per arm.
    public var reportMetrics: [String]
    public var bootstrapResamples: Int
    public var bootstrapSeed: UInt64

    public init(arms: [Arm], reference: String, seeds: [Int64], budget: Budget, reportMetrics: [String],
                bootstrapResamples: Int, bootstrapSeed: UInt64) {
        self.arms = arms
        self.reference = reference
        self.seeds = seeds
        self.budget = budget
        self.reportMetrics = reportMetrics
        self.bootstrapResamples = bootstrapResamples
        self.bootstrapSeed = bootstrapSeed
    }
}

extension SweepStore {
    /// Records what a sweep is, with its comparison when it is one, replacing what was
    /// recorded: for a sweep recorded before v6 (its `kind` is NULL until then), and for
    /// a comparison whose spec was extended (`extendSweep`) with settings the readers use.
    public func recordKind(sweepID: Int64, comparison: StoredComparison?) throws {
        try write { db in
            _ = try Self.requireSweep(db, id: sweepID)
            try db.run("UPDATE sweep SET kind = ? WHERE id = ?",
                       [comparison == nil ? SweepKind.sweep : SweepKind.comparison, sweepID])
            try db.run("DELETE FROM comparison WHERE sweep_id = ?", [sweepID])
            if let comparison { try Self.insertComparison(db, sweepID: sweepID, comparison) }
        }
    }

    /// The comparison a sweep runs; nil for a search sweep, and for a sweep recorded
    /// before v6 that no scheduler or CLI has opened since (its `kind` is nil).
    public func comparison(sweepID: Int64) throws -> StoredComparison? {
        try read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT reference, seeds, budget_kind, budget, report_metrics, bootstrap_resamples, bootstrap_seed
                FROM comparison WHERE sweep_id = ?
                """), arguments: [sweepID])
            else { return nil }
            let arms = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT name, params FROM comparison_arm WHERE sweep_id = ? ORDER BY position
                """), arguments: [sweepID]).map { arm in
                StoredComparison.Arm(name: arm[0], params: try StoredJSON.decodeParams(arm[1]))
            }
            let budgetKind: String = row[2]
            let amount: Double = row[3]
            let budget: StoredComparison.Budget = budgetKind == "seconds" ? .seconds(amount) : .updates(Int(amount))
            return StoredComparison(
                arms: arms, reference: row[0], seeds: try Self.decodeArray(row[1], column: "seeds"), budget: budget,
                reportMetrics: try Self.decodeArray(row[4], column: "report_metrics"),
                bootstrapResamples: row[5], bootstrapSeed: UInt64(bitPattern: row[6]))
        }
    }

    static func insertComparison(_ db: Database, sweepID: Int64, _ comparison: StoredComparison) throws {
        let (budgetKind, amount): (String, Double) = switch comparison.budget {
        case .updates(let updates): ("updates", Double(updates))
        case .seconds(let seconds): ("seconds", seconds)
        }
        try db.run("""
            INSERT INTO comparison (sweep_id, reference, seeds, budget_kind, budget, report_metrics,
                                    bootstrap_resamples, bootstrap_seed)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [sweepID, comparison.reference, try encodeArray(comparison.seeds), budgetKind, amount,
                  try encodeArray(comparison.reportMetrics), comparison.bootstrapResamples,
                  Int64(bitPattern: comparison.bootstrapSeed)])
        for (position, arm) in comparison.arms.enumerated() {
            try db.run("INSERT INTO comparison_arm (sweep_id, position, name, params) VALUES (?, ?, ?, ?)",
                       [sweepID, position, arm.name, try StoredJSON.encodeParams(arm.params)])
        }
    }

    private static func encodeArray<T: Encodable>(_ values: [T]) throws -> String {
        String(decoding: try JSONEncoder().encode(values), as: UTF8.self)
    }

    private static func decodeArray<T: Decodable>(_ text: String, column: String) throws -> [T] {
        do {
            return try JSONDecoder().decode([T].self, from: Data(text.utf8))
        } catch {
            throw SweepStoreError.corruptRow(table: "comparison", column: column, detail: "not a JSON array: \(text)")
        }
    }
}
