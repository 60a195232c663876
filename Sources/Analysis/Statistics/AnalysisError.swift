/// Bad input to a statistic or a table: the message names the field and the rule.
public struct AnalysisError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }
}

extension Array where Element == Double {
    /// Throws unless every value is finite; `field` names the array in the message.
    func requireFinite(_ field: String) throws {
        if let i = firstIndex(where: { !$0.isFinite }) {
            throw AnalysisError("\(field)[\(i)] is \(self[i]); statistics need finite values (drop failed trials first)")
        }
    }
}
