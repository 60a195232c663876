import ConfigFiles
import Foundation
import TrialProtocol

extension SweepSpec {
    /// Reads a spec file (YAML or JSON). Relative `trial_file` paths are resolved
    /// against the spec's directory.
    public static func load(path: String) throws -> SweepSpec {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigFileError(source: path, line: nil, field: nil, message: "cannot read the sweep spec")
        }
        return try parse(text: text, source: path)
    }

    /// Parses and validates spec text; every error names `source`, the line and the field.
    public static func parse(text: String, source: String) throws -> SweepSpec {
        let document = try ConfigDocument.parse(yaml: text, source: source)
        let r = try ConfigReader(document)
        let name = try r.string("name")
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }),
              !name.hasPrefix(".") else {
            throw document.error(field: "name", "must be non-empty letters, digits, '-', '_' or '.' (it names a directory)")
        }
        let engine = try parseEngine(r, document)
        let trial = try parseTrial(r, document, source: source)
        let space = try parseSpace(r, document)

        let search = try r.section("search")
        let algorithm: Algorithm = try search.choice("algorithm", default: .random)
        let seed = try search.int("seed", default: 1, ">= 0", where: { $0 >= 0 })
        let gridPoints = try search.int("grid_points", default: 5, ">= 2", where: { $0 >= 2 })
        try search.finish()

        let metricSection = try r.section("metric")
        let metric = try metricSection.string("name")
        let goal: Goal = try metricSection.choice("goal")
        try metricSection.finish()

        let budgetSection = try r.section("budget")
        let updates = try budgetSection.optionalInt("updates", ">= 1", where: { $0 >= 1 })
        let seconds = try budgetSection.optionalDouble("seconds", "> 0", where: { $0 > 0 && $0.isFinite })
        try budgetSection.finish()
        if updates != nil && seconds != nil {
            throw document.error(field: "budget", "give exactly one of updates or seconds")
        }
        let budget: TrialBudget? = updates.map(TrialBudget.updates) ?? seconds.map(TrialBudget.seconds)

        let stopping = try parseStopping(r, document, budget: budget)

        let limits = try r.section("limits")
        let maxTrials = try limits.optionalInt("max_trials", ">= 1", where: { $0 >= 1 })
        let maxTrialSeconds = try limits.optionalDouble("max_trial_seconds", "> 0", where: { $0 > 0 && $0.isFinite })
        try limits.finish()
        if maxTrials == nil && maxTrialSeconds == nil && algorithm != .grid {
            throw document.error(field: "limits",
                                 "needs max_trials or max_trial_seconds (only a grid search ends by itself)")
        }

        let parallel = try r.section("parallel")
        let parallelTrials = try parallel.int("trials", default: 1, ">= 1", where: { $0 >= 1 })
        let threads = try parallel.int("threads_per_trial", default: 1, ">= 1", where: { $0 >= 1 })
        var gpus: [String] = []
        if let list = parallel.raw("gpus") {
            guard case .array(let items) = list else {
                throw document.error(field: "parallel.gpus", "must be a list of GPU ids, e.g. [0, 1]")
            }
            for (index, item) in items.enumerated() {
                switch item {
                case .number(let x) where x == x.rounded() && x >= 0: gpus.append(String(Int(x)))
                case .string(let s) where !s.isEmpty && !s.contains(","): gpus.append(s)
                default: throw document.error(field: "parallel.gpus[\(index)]", "must be a GPU id (a number or a name)")
                }
            }
        }
        try parallel.finish()

        let retries = try r.section("retries")
        let maxAttempts = try retries.int("max_attempts", default: 3, ">= 1", where: { $0 >= 1 })
        try retries.finish()

        let deadline = try r.section("deadline")
        let grace = try deadline.double("grace_seconds", default: 10, ">= 0", where: { $0 >= 0 && $0.isFinite })
        let timeout = try deadline.optionalDouble("timeout_seconds", "> 0", where: { $0 > 0 && $0.isFinite })
        try deadline.finish()
        try r.finish()

        return SweepSpec(name: name, engine: engine, trial: trial, space: space, algorithm: algorithm,
                         seed: UInt64(seed), gridPoints: gridPoints, stopping: stopping, metric: metric, goal: goal,
                         budget: budget, maxTrials: maxTrials, maxTrialSeconds: maxTrialSeconds,
                         parallelTrials: parallelTrials, threadsPerTrial: threads, gpus: gpus,
                         maxAttempts: maxAttempts, graceSeconds: grace, timeoutSeconds: timeout, text: text)
    }

    private static func parseEngine(_ r: ConfigReader, _ document: ConfigDocument) throws -> Engine {
        switch r.raw("engine") {
        case nil, .string("builtin")?: return .builtin
        case .array(let items)?:
            var argv: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let s) = item, !s.isEmpty || index > 0 else {
                    throw document.error(field: "engine[\(index)]", "must be a string (the argv of the engine)")
                }
                argv.append(s)
            }
            guard !argv.isEmpty else { throw document.error(field: "engine", "an engine argv needs a program") }
            return .command(argv)
        default:
            throw document.error(field: "engine", "must be builtin or a list of strings (the engine's argv)")
        }
    }

    private static func parseTrial(_ r: ConfigReader, _ document: ConfigDocument, source: String) throws -> JSONValue {
        let inline = r.raw("trial")
        let file = try r.optionalString("trial_file")
        switch (inline, file) {
        case (.some, .some):
            throw document.error(field: "trial_file", "give either trial or trial_file, not both")
        case (.some(let value), nil):
            guard case .object = value else { throw document.error(field: "trial", "must be a mapping (the base trial config)") }
            return value
        case (nil, .some(let path)):
            let resolved = path.hasPrefix("/") ? path
                : ((source as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path)
            do {
                return try ConfigDocument.load(path: resolved).root
            } catch let error as ConfigFileError {
                throw document.error(field: "trial_file", "\(error)")
            }
        case (nil, nil):
            return .object([:])
        }
    }

    private static func parseSpace(_ r: ConfigReader, _ document: ConfigDocument) throws -> [ParameterSpec] {
        guard let raw = r.raw("space") else { return [] }
        guard case .object(let entries) = raw else {
            throw document.error(field: "space", "must be a mapping of dotted config keys to domains")
        }
        // The order of the space matters (grid order, quasi-random dimensions): the file's.
        let names = entries.keys.sorted { (document.lines["space.\($0)"] ?? 0, $0) < (document.lines["space.\($1)"] ?? 0, $1) }
        return try names.map { name in
            let field = "space.\(name)"
            guard !name.isEmpty, !name.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
                throw document.error(field: field, "a parameter name is a dotted config key")
            }
            let value = entries[name]!
            guard case .object(let domain) = value else {
                if case .array = value {
                    throw document.error(field: field, "a list is ambiguous; write {choice: [...]}")
                }
                return ParameterSpec(name: name, domain: .fixed(value))
            }
            guard domain.count == 1, let (kind, argument) = domain.first else {
                throw document.error(field: field, "must have exactly one of uniform, log_uniform, int, choice")
            }
            func bounds() throws -> (Double, Double) {
                guard case .array(let items) = argument, items.count == 2,
                      case .number(let low) = items[0], case .number(let high) = items[1] else {
                    throw document.error(field: "\(field).\(kind)", "must be [low, high]")
                }
                guard low < high else { throw document.error(field: "\(field).\(kind)", "low \(low) must be < high \(high)") }
                return (low, high)
            }
            switch kind {
            case "uniform":
                let (low, high) = try bounds()
                return ParameterSpec(name: name, domain: .uniform(low, high))
            case "log_uniform":
                let (low, high) = try bounds()
                guard low > 0 else { throw document.error(field: "\(field).log_uniform", "low must be > 0") }
                return ParameterSpec(name: name, domain: .logUniform(low, high))
            case "int":
                let (low, high) = try bounds()
                guard low == low.rounded(), high == high.rounded() else {
                    throw document.error(field: "\(field).int", "bounds must be integers")
                }
                return ParameterSpec(name: name, domain: .integer(Int(low), Int(high)))
            case "choice":
                guard case .array(let items) = argument, !items.isEmpty else {
                    throw document.error(field: "\(field).choice", "must be a non-empty list")
                }
                for (index, item) in items.enumerated() {
                    switch item {
                    case .number, .string, .bool: continue
                    default: throw document.error(field: "\(field).choice[\(index)]", "must be a number, string or boolean")
                    }
                }
                return ParameterSpec(name: name, domain: .choice(items))
            default:
                throw document.error(field: "\(field).\(kind)", "unknown domain (allowed: uniform, log_uniform, int, choice)")
            }
        }
    }

    private static func parseStopping(_ r: ConfigReader, _ document: ConfigDocument,
                                      budget: TrialBudget?) throws -> StoppingSpec {
        let s = try r.section("stopping")
        enum Rule: String, CaseIterable { case none, median, asha, hyperband }
        let rule: Rule = try s.choice("rule", default: Rule.none)
        let result: StoppingSpec
        switch rule {
        case .none:
            result = .none
        case .median:
            result = .median(warmupSteps: try s.int("warmup_steps", default: 0, ">= 0", where: { $0 >= 0 }),
                             minPeers: try s.int("min_peers", default: 1, ">= 1", where: { $0 >= 1 }))
        case .asha, .hyperband:
            let minResource = try s.int("min_resource", default: 1, ">= 1", where: { $0 >= 1 })
            let eta = try s.int("reduction_factor", default: 3, ">= 2", where: { $0 >= 2 })
            var defaultMax: Int?
            if case .updates(let updates)? = budget { defaultMax = updates }
            let maxResource = try s.int("max_resource", default: defaultMax, ">= min_resource",
                                        where: { $0 >= minResource })
            result = rule == .asha
                ? .asha(minResource: minResource, reductionFactor: eta, maxResource: maxResource)
                : .hyperband(minResource: minResource, reductionFactor: eta, maxResource: maxResource)
        }
        try s.finish()
        return result
    }
}
