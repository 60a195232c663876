import Vocabulary
import ConfigFiles
import Foundation
import Search
import TrialProtocol

extension SweepSpec {
    /// Keys the scheduler sets in every trial config itself: a parameter there would
    /// be overwritten without a word.
    static let keysSetByScheduler = TrialConfigKey.setByScheduler.map(\.dotted)

    static let topLevelFields = ["name", "engine", "trial", "trial_file", "space", "search", "stopping", "metric",
                                 "budget", "limits", "parallel", "retries", "deadline", "executor"]

    /// Reads a spec file (YAML or JSON). Relative `trial_file` paths are resolved
    /// against the spec's directory.
    public static func load(path: String) throws -> SweepSpec {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            let why = FileManager.default.fileExists(atPath: path) ? "not readable UTF-8 text" : "no such file"
            throw ConfigFileError(source: path, line: nil, field: nil, message: "cannot read the sweep spec (\(why))")
        }
        return try parse(text: text, source: path)
    }

    /// Parses and validates spec text (docs/sweep-spec.md); every error names `source`,
    /// the line and the field, and says what is allowed.
    public static func parse(text: String, source: String) throws -> SweepSpec {
        let document = try ConfigDocument.parse(yaml: text, source: source)
        let r = try ConfigReader(document)
        try SpecSections.refuseForeign(["arms", "seeds", "reference"], r, document,
                                       hint: "a sweep spec has no arms, seeds or reference; this looks like a "
                                           + "comparison spec (run it with vsweep compare)")
        try r.rejectUnknown(allowed: topLevelFields)
        let name = try SpecSections.name(r, document)
        let engine = try SpecSections.engine(r, document)
        let trial = try SpecSections.trial(r, document, source: source, engine: engine)
        let budget = try SpecSections.budget(r, document)
        let space = try parseSpace(r, document, budget: budget)

        let search = try r.section("search")
        let algorithm: Algorithm = try search.choice("algorithm", default: .random)
        let seed = try search.int("seed", default: 1, ">= 0", where: { $0 >= 0 })
        let gridPoints = try search.optionalInt("grid_points", ">= 2", where: { $0 >= 2 })
        try search.finish()
        let continuous = space.filter {
            switch $0.domain { case .uniform, .logUniform: true; default: false }
        }.map { "space.\($0.name)" }
        let searched = space.filter { if case .fixed = $0.domain { false } else { true } }.count
        if algorithm == .quasiRandom && searched > HaltonSampler.primes.count {
            throw document.error(field: "search.algorithm", "quasi_random takes at most \(HaltonSampler.primes.count) "
                                     + "searched parameters (one prime base each), the space has \(searched)")
        }
        if gridPoints != nil && algorithm != .grid {
            throw document.error(field: "search.grid_points", "only a grid search uses grid_points "
                                     + "(algorithm is \(algorithm.rawValue))")
        }
        if algorithm == .grid && gridPoints == nil && !continuous.isEmpty {
            throw document.error(field: "search.grid_points", "is required by a grid search over uniform or "
                                     + "log_uniform parameters (\(continuous.joined(separator: ", "))): how many "
                                     + "evenly spaced values each takes, >= 2")
        }

        let (metric, goal, selectsOnTest) = try SpecSections.metric(r, document, selecting: true)
        let stopping = try parseStopping(r, document, budget: budget)

        let limits = try r.section("limits")
        let maxTrials = try limits.optionalInt("max_trials", ">= 1", where: { $0 >= 1 })
        let maxTrialSeconds = try limits.optionalDouble("max_trial_seconds", "> 0", where: { $0 > 0 && $0.isFinite })
        try limits.finish()
        if maxTrials == nil && maxTrialSeconds == nil && algorithm != .grid {
            throw document.error(field: "limits",
                                 "needs max_trials or max_trial_seconds (only a grid search ends by itself)")
        }

        let execution = try SpecSections.execution(r, document)
        try r.finish()

        var spec = SweepSpec(name: name, engine: engine, trial: trial, space: space, algorithm: algorithm,
                         seed: UInt64(seed), gridPoints: gridPoints ?? 5, stopping: stopping, metric: metric,
                         goal: goal, budget: budget, maxTrials: maxTrials, maxTrialSeconds: maxTrialSeconds, text: text)
        spec.execution = execution
        spec.selectsOnTest = selectsOnTest
        return spec
    }

    private static func parseSpace(_ r: ConfigReader, _ document: ConfigDocument,
                                   budget: TrialBudget?) throws -> [ParameterSpec] {
        guard let raw = r.raw("space") else { return [] }
        guard case .object(let entries) = raw else {
            throw document.error(field: "space", "must be a mapping of dotted config keys to domains "
                                     + "(got \(ConfigReader.show(raw)))")
        }
        let reserved = keysSetByScheduler + (budget == nil ? [] : [TrialBudget.configSection])
        // The order of the space matters (grid order, quasi-random dimensions): the file's.
        return try SpecSections.fileOrder(entries.keys, under: "space", document).map { name in
            let field = "space.\(name)"
            if let problem = SpecSections.configKeyProblem(name) { throw document.error(field: field, problem) }
            if let key = SpecSections.conflict(of: name, with: reserved) {
                let origin = key == TrialBudget.configSection ? " (from the spec's budget)" : ""
                throw document.error(field: field, "\(key) is set by the scheduler in every trial config\(origin); "
                                         + "it cannot be a parameter")
            }
            return ParameterSpec(name: name, domain: try parseDomain(entries[name]!, field: field, document))
        }
    }

    private static func parseDomain(_ value: JSONValue, field: String, _ document: ConfigDocument) throws -> ParameterSpec.Domain {
        let kinds = ["uniform", "log_uniform", "int", "choice"]
        switch value {
        case .number, .string, .bool:
            return .fixed(ParamValue(scalar: value)!)
        case .null:
            throw document.error(field: field, "has no value: give a domain ({uniform: [low, high]}, …) or a fixed "
                                     + "number, string or boolean")
        case .array:
            throw document.error(field: field, "a list is ambiguous; write {choice: [...]} for a categorical parameter")
        case .object(let domain):
            guard domain.count == 1, let (kind, argument) = domain.first else {
                throw document.error(field: field, "must have exactly one of \(kinds.joined(separator: ", ")) "
                                         + "(got \(domain.isEmpty ? "none" : domain.keys.sorted().joined(separator: ", ")))")
            }
            let place = "\(field).\(kind)"
            func bounds() throws -> (Double, Double) {
                guard case .array(let items) = argument, items.count == 2,
                      case .number(let low) = items[0], case .number(let high) = items[1] else {
                    throw document.error(field: place, "must be [low, high], two numbers (got \(ConfigReader.show(argument)))")
                }
                return (low, high)
            }
            func shown(_ low: Double, _ high: Double) -> String {
                "[\(ConfigReader.show(.number(low))), \(ConfigReader.show(.number(high)))]"
            }
            switch kind {
            case "uniform":
                let (low, high) = try bounds()
                guard low < high else { throw document.error(field: place, "needs low < high (got \(shown(low, high)))") }
                return .uniform(low, high)
            case "log_uniform":
                let (low, high) = try bounds()
                guard low > 0, low < high else {
                    throw document.error(field: place, "needs 0 < low < high (got \(shown(low, high)))")
                }
                return .logUniform(low, high)
            case "int":
                let (low, high) = try bounds()
                guard low == low.rounded(), high == high.rounded(), abs(low) < 9e15, abs(high) < 9e15 else {
                    throw document.error(field: place, "bounds must be integers (got \(shown(low, high)))")
                }
                guard low < high else { throw document.error(field: place, "needs low < high (got \(shown(low, high)))") }
                return .integer(Int(low), Int(high))
            case "choice":
                guard case .array(let items) = argument, !items.isEmpty else {
                    throw document.error(field: place, "must be a non-empty list of values (got \(ConfigReader.show(argument)))")
                }
                var choices: [ParamValue] = []
                for (index, item) in items.enumerated() {
                    guard let choice = ParamValue(scalar: item) else {
                        throw document.error(field: "\(place)[\(index)]", "must be a number, string or boolean "
                                                 + "(got \(ConfigReader.show(item)))")
                    }
                    if let first = choices.firstIndex(of: choice) {
                        throw document.error(field: "\(place)[\(index)]", "repeats choice[\(first)]: choices must be distinct")
                    }
                    choices.append(choice)
                }
                return .choice(choices)
            default:
                // `designer: {mass_max: 0.3}` is a nested config value, not a domain.
                let hint = NearestName.suggestion(for: kind, among: kinds).map { "; did you mean \($0)?" }
                    ?? "; a nested config key is written dotted: \(field).\(kind)"
                throw document.error(field: place, "unknown domain (allowed: \(kinds.joined(separator: ", ")))\(hint)")
            }
        }
    }

    private static func parseStopping(_ r: ConfigReader, _ document: ConfigDocument,
                                      budget: TrialBudget?) throws -> StoppingSpec {
        let s = try r.section("stopping")
        enum Rule: String, CaseIterable { case none, median, asha, hyperband }
        let rule: Rule = try s.choice("rule", default: Rule.none)
        var updates: Int?
        if case .updates(let u)? = budget { updates = u }
        let result: StoppingSpec
        switch rule {
        case .none:
            result = .none
        case .median:
            let warmup = try s.int("warmup_steps", default: 0, ">= 0", where: { $0 >= 0 })
            if let updates, warmup >= updates {
                throw document.error(field: "stopping.warmup_steps", "\(warmup) must be < budget.updates \(updates) "
                                         + "(the rule never looks at a report before warmup_steps)")
            }
            result = .median(warmupSteps: warmup, minPeers: try s.int("min_peers", default: 1, ">= 1", where: { $0 >= 1 }))
        case .asha, .hyperband:
            let minResource = try s.int("min_resource", default: 1, ">= 1", where: { $0 >= 1 })
            let eta = try s.int("reduction_factor", default: 3, ">= 2", where: { $0 >= 2 })
            guard s.has("max_resource") || updates != nil else {
                throw document.error(field: "stopping.max_resource", "is required with "
                                         + (budget == nil ? "no budget" : "a seconds budget")
                                         + " (resources are the engine's updates: give the updates a trial that "
                                         + "is never stopped reaches; it defaults to budget.updates)")
            }
            let maxResource = try s.int("max_resource", default: updates, "> min_resource", where: { _ in true })
            guard maxResource > minResource else {
                // With equal ones the only rung is the end of the budget, where no trial is stopped.
                let given = s.has("max_resource")
                throw document.error(field: given ? "stopping.max_resource" : "stopping.min_resource",
                                     given ? "\(maxResource) must be > min_resource \(minResource) (with equal ones "
                                         + "the only rung is the end, where no trial is stopped)"
                                         : "\(minResource) must be < max_resource \(maxResource) (its default, "
                                         + "budget.updates): else the only rung is the end, where no trial is stopped")
            }
            if let updates, maxResource > updates {
                throw document.error(field: "stopping.max_resource", "\(maxResource) exceeds budget.updates \(updates): "
                                         + "no trial would reach the top rung")
            }
            result = rule == .asha
                ? .asha(minResource: minResource, reductionFactor: eta, maxResource: maxResource)
                : .hyperband(minResource: minResource, reductionFactor: eta, maxResource: maxResource)
        }
        try s.finish()
        return result
    }
}
