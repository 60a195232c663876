import GRDB

extension Database {
    /// Executes one statement through the connection's statement cache. The store runs
    /// the same few statements for every report and transition; preparing one costs
    /// more than running it.
    func run(_ sql: String, _ arguments: StatementArguments = []) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
