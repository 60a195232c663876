/// A stopping-rule setting or input that breaks a rule; the message names both.
public struct StoppingRuleError: Error, Equatable, CustomStringConvertible {
    public let subject: String
    public let rule: String

    public init(subject: String, rule: String) {
        self.subject = subject
        self.rule = rule
    }

    public var description: String { "\(subject): \(rule)" }
}
