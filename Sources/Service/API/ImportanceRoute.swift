import Analysis
import Foundation
import Hummingbird
import Scheduler
import SweepStore
import TrialProtocol
import Vocabulary

/// `GET /api/v1/sweeps/{name}/importance`: PED-ANOVA importance of each searched
/// parameter (Analysis/Importance, equal to Optuna's on the same trials), over the
/// completed trials (stopped-early ones are left out, as Optuna leaves out pruned ones).
struct ImportanceRoute: Sendable {
    let store: SweepStore

    struct Body: Encodable {
        struct Entry: Encodable {
            var param: String
            var importance: Double
        }
        var method = "ped-anova"
        var targetQuantile = 0.1
        var trialsUsed: Int
        var importances: [Entry]
    }

    func register(on router: Router<BasicRequestContext>) {
        router.group("api/v1").get("sweeps/:name/importance") { _, context in
            let name = context.parameters.get("name") ?? ""
            guard SweepName.isValid(name) else { return APIResponse.error(.badRequest, "not a sweep name: \(name)") }
            do {
                guard let sweep = try self.store.sweep(named: name) else {
                    return APIResponse.error(.notFound, "no sweep named \(name) in the store")
                }
                guard try SweepQueries.kind(self.store, sweep, record: false) == .sweep else {
                    return APIResponse.error(.conflict, "sweep \(name) is a comparison: it has no search space")
                }
                return APIResponse.json(try self.importance(sweep))
            } catch {
                return APIResponse.error(.unprocessableContent, "cannot compute the importance: \(error)")
            }
        }
    }

    private func importance(_ sweep: Sweep) throws -> Body {
        let spec = try SweepQueries.storedSpec(of: sweep)
        var parameters: [PedAnova.Parameter] = []
        var choices: [String: [ParamValue]] = [:]
        for p in spec.space {
            switch p.domain {
            case .uniform(let low, let high): parameters.append(.init(name: p.name, domain: .float(low: low, high: high, log: false)))
            case .logUniform(let low, let high): parameters.append(.init(name: p.name, domain: .float(low: low, high: high, log: true)))
            case .integer(let low, let high): parameters.append(.init(name: p.name, domain: .integer(low: low, high: high)))
            case .choice(let values):
                parameters.append(.init(name: p.name, domain: .categorical(count: values.count)))
                choices[p.name] = values
            case .fixed: continue
            }
        }
        let completed = try store.trials(sweepID: sweep.id, state: .completed).filter { $0.finalValue?.isFinite == true }
        let observations = completed.map { trial in
            let params = trial.params
            var values: [String: Double] = [:]
            for p in parameters {
                guard let value = params[p.name] else { continue }
                if let list = choices[p.name] {
                    if let index = list.firstIndex(of: value) { values[p.name] = Double(index) }
                } else if let x = value.doubleValue {
                    values[p.name] = x
                }
            }
            return PedAnova.Observation(params: values, value: trial.finalValue!)
        }
        let scores = PedAnova.importances(parameters, observations, lowerIsBetter: sweep.goal == .minimize)
        return Body(trialsUsed: observations.count,
                    importances: scores.map { Body.Entry(param: $0.key, importance: $0.value) }
                        .sorted { ($0.importance, $1.param) > ($1.importance, $0.param) })
    }
}
