/// A search space or sampler setting that breaks a rule; the message names the
/// parameter (or setting) and the rule.
public struct SearchSpaceError: Error, Equatable, CustomStringConvertible {
    /// The parameter name, or the sampler setting, at fault.
    public let subject: String
    /// The rule broken, with the offending values.
    public let rule: String

    public init(subject: String, rule: String) {
        self.subject = subject
        self.rule = rule
    }

    static func parameter(_ name: String, _ rule: String) -> SearchSpaceError {
        SearchSpaceError(subject: "parameter \(name)", rule: rule)
    }

    public var description: String { "\(subject): \(rule)" }
}
