/// A trial that cannot start or continue. `field` names the config field at
/// fault when there is one; `isConfig` errors exit with status 2.
public struct TrialError: Error, CustomStringConvertible {
    public var message: String
    public var field: String?
    public var isConfig: Bool

    public init(_ message: String, field: String? = nil, isConfig: Bool = true) {
        self.message = message; self.field = field; self.isConfig = isConfig
    }

    public var description: String { field.map { "\($0): \(message)" } ?? message }
}
