/// Difficulty is an integer level 1...5; each generator maps it to number
/// sizes and step counts. Level 1 is the default for the downstream task.
public enum Difficulty {
    public static let levels: ClosedRange<Int> = 1...5

    /// Checks per-family level ranges: known family names, levels within 1...5.
    static func validate(_ ranges: [String: ClosedRange<Int>], option: String, families: [String]) throws {
        for (name, range) in ranges.sorted(by: { $0.key < $1.key }) {
            try DatasetError.check(families.contains(name), option, name,
                                   "unknown family; known: \(families.joined(separator: ", "))")
            try DatasetError.check(levels.contains(range.lowerBound) && levels.contains(range.upperBound),
                                   "\(option)[\(name)]", "\(range)", "must lie within 1...5")
        }
    }

    /// Largest "ordinary" operand at a level: 20, 100, 1000, 10000, 100000.
    static func maxOperand(_ level: Int) -> Int {
        switch level {
        case ...1: return 20
        case 2: return 100
        case 3: return 1000
        case 4: return 10_000
        default: return 100_000
        }
    }

    /// Largest factor in a product at a level: 10, 12, 25, 50, 100.
    static func maxFactor(_ level: Int) -> Int {
        switch level {
        case ...1: return 10
        case 2: return 12
        case 3: return 25
        case 4: return 50
        default: return 100
        }
    }
}
