/// The problem families of the generated math chain-of-thought corpus.
public enum MathFamily: String, Codable, Sendable, CaseIterable {
    /// Multi-digit arithmetic: `Calculate 34 + 58.`; more operands and
    /// parentheses at higher levels.
    case arithmetic
    /// Multi-step word problems with money, time (minutes/hours) and units
    /// (m/cm, kg/g, dozens).
    case wordProblem = "word_problem"
    /// Fractions of a quantity and percentages (results are whole numbers).
    case fractionPercent = "fraction_percent"
    /// Linear equations in x: `x + 5 = 12`, `3x + 4 = 19`, `5x + 2 = 2x + 17`.
    case linearEquation = "linear_equation"
    /// Next term / n-th term of arithmetic and (level ≥ 3) geometric sequences.
    case sequence
    /// Comparisons: larger of two, range of a list, how many more.
    case comparison
}
