/// A problem with one line of an imported file: `path:line: problem`.
/// Lines are 1-based, counted as in an editor (every "\n" starts a new line).
public struct ImportError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var problem: String

    public init(path: String, line: Int, problem: String) {
        self.path = path
        self.line = line
        self.problem = problem
    }

    public var description: String { "\(path):\(line): \(problem)" }
}

/// Records read from one file, plus the bad lines skipped under `skipBad`.
public struct ImportResult<Record: Sendable>: Sendable {
    public var records: [Record]
    /// Every skipped line with its problem (empty unless `skipBad`).
    public var skipped: [ImportError]

    public var skippedCount: Int { skipped.count }
}
