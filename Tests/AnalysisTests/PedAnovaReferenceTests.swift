import Analysis
import Foundation
import XCTest

/// PED-ANOVA importances against Optuna's `PedAnovaImportanceEvaluator` on the same
/// trials (Fixtures/ped_anova_reference.json, made by scripts/reference/ped_anova_optuna.py).
final class PedAnovaReferenceTests: XCTestCase {
    struct Fixture: Decodable {
        struct Parameter: Decodable {
            var name: String
            var kind: String
            var low: Double?
            var high: Double?
            var log: Bool?
            var choices: [String]?
        }
        struct Case: Decodable {
            var name: String
            var direction: String
            var trials: [Trial]
            var importances: [String: Double]
        }
        struct Trial: Decodable {
            var params: [String: Value]
            var value: Double
        }
        enum Value: Decodable {
            case number(Double), text(String)
            init(from decoder: any Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let x = try? c.decode(Double.self) { self = .number(x) } else { self = .text(try c.decode(String.self)) }
            }
        }
        var parameters: [Parameter]
        var cases: [Case]
    }

    func testImportancesMatchOptunaOnTheSameTrials() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "ped_anova_reference", withExtension: "json", subdirectory: "Fixtures"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        let parameters = fixture.parameters.map { p -> PedAnova.Parameter in
            switch p.kind {
            case "float": return .init(name: p.name, domain: .float(low: p.low!, high: p.high!, log: p.log ?? false))
            case "int": return .init(name: p.name, domain: .integer(low: Int(p.low!), high: Int(p.high!)))
            default: return .init(name: p.name, domain: .categorical(count: p.choices!.count))
            }
        }
        XCTAssertEqual(fixture.cases.count, 3)
        for c in fixture.cases {
            let observations = c.trials.map { t in
                PedAnova.Observation(params: Dictionary(uniqueKeysWithValues: t.params.map { name, value in
                    switch value {
                    case .number(let x): return (name, x)
                    case .text(let s):
                        let choices = fixture.parameters.first { $0.name == name }?.choices ?? []
                        return (name, Double(choices.firstIndex(of: s) ?? -1))
                    }
                }), value: t.value)
            }
            let ours = PedAnova.importances(parameters, observations, lowerIsBetter: c.direction == "minimize")
            XCTAssertEqual(Set(ours.keys), Set(c.importances.keys), c.name)
            for (name, expected) in c.importances {
                XCTAssertEqual(ours[name] ?? -1, expected, accuracy: 1e-9 + 1e-7 * expected, "\(c.name): \(name)")
            }
        }
    }
}
