import Foundation

extension BenchmarkFunction {
    /// Branin–Hoo on x1 ∈ [−5, 10], x2 ∈ [0, 15]:
    /// f = (x2 − 5.1/(4π²)·x1² + 5/π·x1 − 6)² + 10·(1 − 1/(8π))·cos x1 + 10,
    /// minimum 0.397887 at (−π, 12.275), (π, 2.275) and (9.42478, 2.475).
    public static let branin = BenchmarkFunction(
        name: "branin",
        space: try! SearchSpace([
            .uniform("x1", low: -5, high: 10),
            .uniform("x2", low: 0, high: 15),
        ]),
        minimum: 0.397887
    ) { assignment in
        branin(coordinate(assignment, "x1"), coordinate(assignment, "x2"))
    }

    public static func branin(_ x1: Double, _ x2: Double) -> Double {
        let b = 5.1 / (4 * Double.pi * Double.pi)
        let c = 5 / Double.pi
        let t = 1 / (8 * Double.pi)
        let bracket = x2 - b * x1 * x1 + c * x1 - 6
        return bracket * bracket + 10 * (1 - t) * cos(x1) + 10
    }
}
