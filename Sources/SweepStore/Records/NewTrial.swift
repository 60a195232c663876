import Vocabulary

/// A trial to enqueue; the store allocates its number.
public struct NewTrial: Sendable, Equatable {
    public var params: [String: ParamValue]
    public var seed: Int64
    public var bracket: Int?
    public var arm: String?
    /// Starts allowed in all (first run plus retries after interruptions); >= 1.
    public var maxAttempts: Int

    public init(params: [String: ParamValue], seed: Int64, bracket: Int? = nil, arm: String? = nil,
                maxAttempts: Int = 1) {
        self.params = params
        self.seed = seed
        self.bracket = bracket
        self.arm = arm
        self.maxAttempts = maxAttempts
    }
}
