import Foundation
import GRDB

/// The sweep database: sweeps, trials, attempts, reports, rung results, decisions and
/// the trial transition log, in SQLite through GRDB.
///
/// Contract:
/// - Every write method is one write transaction: either all of its rows are committed
///   or none. A method returns only after the commit, so the scheduler may act on a
///   transition as soon as the call returns.
/// - Every trial state change is validated against `TrialState.allowedSuccessors` and
///   logged in `trial_transition` inside the same transaction.
/// - "Now" comes from the injected `now` closure (tests never sleep).
/// - On a file, the store is a `DatabasePool` in WAL mode: readers (the CLI) never
///   block the writer and never see a half-written batch.
public final class SweepStore: Sendable {
    /// How durable a commit is in WAL mode (SQLite `synchronous`).
    public enum Durability: String, Sendable, CaseIterable {
        /// `NORMAL`: a commit survives the scheduler being killed (kill -9); the last
        /// commits may be lost on power loss. GRDB's choice for WAL.
        case processCrash
        /// `FULL`: every commit is fsynced to the WAL before it returns.
        case powerLoss
    }

    let writer: any DatabaseWriter
    let now: @Sendable () -> Date
    /// The file path, or a description of an in-memory database, for error messages.
    public let location: String
    /// For error messages about locks.
    let busyTimeout: Double

    /// Wraps an existing connection (tests: an in-memory `DatabaseQueue`), checks it is
    /// a vsweep database no newer than this code, and migrates it.
    public convenience init(writer: any DatabaseWriter,
                            now: @escaping @Sendable () -> Date = { Date() }) throws {
        try self.init(writer: writer, now: now, location: Self.describe(path: writer.path),
                      busyTimeout: 0)
    }

    private init(writer: any DatabaseWriter, now: @escaping @Sendable () -> Date,
                 location: String, busyTimeout: Double) throws {
        self.writer = writer
        self.now = now
        self.location = location
        self.busyTimeout = busyTimeout
        try mapErrors { try Self.checkOwnershipAndMigrate(writer, location: location) }
    }

    /// Opens (or creates) the database at `path` as a WAL `DatabasePool` with foreign
    /// keys on, waiting up to `busyTimeout` seconds for locks held by other processes,
    /// and migrates it. Throws `SweepStoreError` naming the path when the file is
    /// locked, is not a vsweep database, or comes from a newer vsweep.
    public static func open(path: String, busyTimeout: Double = 5, durability: Durability = .processCrash,
                            now: @escaping @Sendable () -> Date = { Date() }) throws -> SweepStore {
        guard busyTimeout >= 0, busyTimeout.isFinite else {
            throw SweepStoreError.invalidInput(field: "busyTimeout", reason: "must be a finite number of seconds >= 0")
        }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(busyTimeout)
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            if durability == .powerLoss {
                // GRDB sets NORMAL when it enables WAL; the pragma is per connection and
                // only the writer connection commits.
                try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            }
        } catch {
            throw storeError(error, location: path, busyTimeout: busyTimeout)
        }
        return try SweepStore(writer: pool, now: now, location: path, busyTimeout: busyTimeout)
    }

    /// The database file, nil for an in-memory database: where a scheduler puts the
    /// lock that keeps a second one off this database.
    public var filePath: String? {
        let path = writer.path
        return path.isEmpty || path == ":memory:" ? nil : path
    }

    /// The database's random id (`store_identity`), written once by migration v3: a
    /// runs directory names the database it belongs to by it.
    public func identity() throws -> String {
        try read { db in
            guard let id = try String.fetchOne(db, sql: "SELECT id FROM store_identity LIMIT 1") else {
                throw SweepStoreError.corruptRow(table: "store_identity", column: "id", detail: "no row")
            }
            return id
        }
    }

    /// `PRAGMA integrity_check`: "ok", or SQLite's list of problems, one per line.
    public func integrityCheck() throws -> String {
        try read { db in
            try String.fetchAll(db.cachedStatement(sql: "PRAGMA integrity_check")).joined(separator: "\n")
        }
    }

    private static func describe(path: String) -> String {
        path.isEmpty || path == ":memory:" ? "in-memory database" : path
    }

    // MARK: - Transactions

    /// One write transaction (IMMEDIATE, so two schedulers serialise instead of
    /// deadlocking), with SQLite errors mapped to `SweepStoreError`.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try mapErrors { try writer.write(body) }
    }

    /// A read from a consistent snapshot (a WAL reader on a pool).
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try mapErrors { try writer.read(body) }
    }

    private func mapErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw Self.storeError(error, location: location, busyTimeout: busyTimeout)
        }
    }

    static func storeError(_ error: any Error, location: String, busyTimeout: Double) -> any Error {
        guard let databaseError = error as? DatabaseError else { return error }
        switch databaseError.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return SweepStoreError.databaseLocked(path: location, timeoutSeconds: busyTimeout)
        case .SQLITE_NOTADB:
            return SweepStoreError.notASweepDatabase(path: location, detail: "the file is not an SQLite database")
        case .SQLITE_CANTOPEN:
            let sqliteMessage = databaseError.message ?? "SQLITE_CANTOPEN"
            return SweepStoreError.cannotOpen(
                path: location, detail: "check that the directory exists and is writable (\(sqliteMessage))")
        case .SQLITE_CORRUPT:
            return SweepStoreError.corrupt(path: location, detail: databaseError.message ?? "SQLITE_CORRUPT")
        default:
            // GRDB's message quotes SQL but not the file; every store error names it.
            return SweepStoreError.sqlite(path: location, detail: databaseError.description)
        }
    }

    // MARK: - Schema

    /// Refuses files that GRDB did not migrate with our migrations, and files migrated
    /// by a newer vsweep; then applies the missing migrations. When nothing is missing
    /// this only reads, so it works while another process holds the write lock.
    private static func checkOwnershipAndMigrate(_ writer: any DatabaseWriter, location: String) throws {
        // Reports rely on foreign keys to refuse rows of attempts that never started.
        let foreignKeys = try writer.writeWithoutTransaction { db in try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") }
        guard foreignKeys == true else {
            throw SweepStoreError.cannotOpen(path: location, detail: "the connection has foreign keys off; "
                                             + "open it with GRDB's default configuration (foreignKeysEnabled)")
        }
        let known = Set(migrator.migrations)
        let (applied, foreignTables) = try writer.read { db -> (Set<String>, [String]) in
            let applied = try migrator.appliedIdentifiers(db)
            let tables = try String.fetchAll(db.cachedStatement(sql: """
                SELECT name FROM sqlite_master
                WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'
                ORDER BY name
                """))
            return (applied, tables)
        }
        if applied.isEmpty, !foreignTables.isEmpty {
            throw SweepStoreError.notASweepDatabase(
                path: location,
                detail: "it has tables (\(foreignTables.prefix(5).joined(separator: ", "))) but no vsweep migrations")
        }
        if !applied.isEmpty, applied.isDisjoint(with: known) {
            throw SweepStoreError.notASweepDatabase(
                path: location,
                detail: "its migrations (\(applied.sorted().prefix(5).joined(separator: ", "))) are not vsweep's")
        }
        let unknown = applied.subtracting(known)
        if !unknown.isEmpty {
            throw SweepStoreError.newerSchema(path: location, unknownMigrations: unknown.sorted())
        }
        do {
            try migrator.migrate(writer)
        } catch {
            // Two processes opening a new file at once both see it unmigrated; the one
            // that loses the race finds the tables created by the other.
            if (try? writer.read { db in try migrator.hasCompletedMigrations(db) }) == true { return }
            throw error
        }
    }
}
