import ConfigFiles
import Vocabulary
import Foundation
import TrialProtocol

extension ComparisonSpec {
    static let topLevelFields = ["name", "engine", "trial", "trial_file", "arms", "reference", "seeds", "budget",
                                 "metric", "report_metrics", "parallel", "retries", "deadline", "bootstrap",
                                 "executor"]

    /// Reads a comparison spec file (YAML or JSON). Relative `trial_file` paths are
    /// resolved against the spec's directory.
    public static func load(path: String) throws -> ComparisonSpec {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            let why = FileManager.default.fileExists(atPath: path) ? "not readable UTF-8 text" : "no such file"
            throw ConfigFileError(source: path, line: nil, field: nil, message: "cannot read the comparison spec (\(why))")
        }
        return try parse(text: text, source: path)
    }

    /// Parses and validates comparison spec text (docs/sweep-spec.md); every error
    /// names `source`, the line and the field, and says what is allowed.
    public static func parse(text: String, source: String) throws -> ComparisonSpec {
        let document = try ConfigDocument.parse(yaml: text, source: source)
        let r = try ConfigReader(document)
        try SpecSections.refuseForeign(["space", "search", "stopping", "limits"], r, document,
                                       hint: "a comparison has no space, search, stopping or limits (its trials are "
                                           + "arms × seeds, each run to the budget); to search, write a sweep spec "
                                           + "(vsweep run)")
        try r.rejectUnknown(allowed: topLevelFields)
        let name = try SpecSections.name(r, document)
        let engine = try SpecSections.engine(r, document)
        let trial = try SpecSections.trial(r, document, source: source, engine: engine)
        let arms = try parseArms(r, document)

        let reference = try r.optionalString("reference") ?? arms[0].name
        guard arms.contains(where: { $0.name == reference }) else {
            throw document.error(field: "reference", "no arm is named \"\(reference)\" "
                                     + "(arms: \(arms.map(\.name).joined(separator: ", ")))")
        }
        let seeds = try parseSeeds(r, document)

        guard r.has("budget") else {
            throw document.error(field: "budget", "is required: {updates: N} or {seconds: S} "
                                     + "(arms are compared at a matched budget)")
        }
        let budget = try SpecSections.budget(r, document)!
        let (metric, goal, _) = try SpecSections.metric(r, document)
        let reportMetrics = try parseReportMetrics(r, document)
        let execution = try SpecSections.execution(r, document)

        let bootstrap = try r.section("bootstrap")
        let resamples = try bootstrap.int("resamples", default: 10_000, ">= 100 (fewer cannot resolve a 95% interval)",
                                          where: { $0 >= 100 })
        let bootstrapSeed = try bootstrap.int("seed", default: 0, ">= 0", where: { $0 >= 0 })
        try bootstrap.finish()
        try r.finish()

        var spec = ComparisonSpec(name: name, engine: engine, trial: trial, arms: arms, reference: reference, seeds: seeds,
                              budget: budget, metric: metric, goal: goal, reportMetrics: reportMetrics,
                              bootstrapResamples: resamples, bootstrapSeed: UInt64(bootstrapSeed), text: text)
        spec.execution = execution
        return spec
    }

    private static func parseArms(_ r: ConfigReader, _ document: ConfigDocument) throws -> [Arm] {
        guard let raw = r.raw("arms") else {
            throw r.missing("arms", "a mapping of arm name → {dotted config key: value}, at least two arms")
        }
        guard case .object(let entries) = raw else {
            throw document.error(field: "arms", "must be a mapping of arm name → {dotted config key: value} "
                                     + "(got \(ConfigReader.show(raw)))")
        }
        guard entries.count >= 2 else {
            throw document.error(field: "arms", "needs at least two arms to compare (got \(entries.count))")
        }
        return try SpecSections.fileOrder(entries.keys, under: "arms", document).map { name in
            let field = "arms.\(name)"
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) }) else {
                throw document.error(field: field, "an arm name is letters, digits, '-' or '_' (got \"\(name)\")")
            }
            let entry: [String: JSONValue]
            switch entries[name]! {
            case .null: entry = [:]
            case .object(let object): entry = object
            case let other:
                throw document.error(field: field, "must be a mapping of dotted config keys to values, {} for the base "
                                         + "trial config as is (got \(ConfigReader.show(other)))")
            }
            var params: ParamAssignment = [:]
            for key in SpecSections.fileOrder(entry.keys, under: field, document) {
                let place = "\(field).\(key)"
                if let problem = SpecSections.configKeyProblem(key) { throw document.error(field: place, problem) }
                if let reserved = SpecSections.conflict(of: key, with: reservedKeys) {
                    throw document.error(field: place, "\(reserved) is set by the comparison in every trial "
                                             + "(reserved: \(reservedKeys.joined(separator: ", "))); an arm cannot set it")
                }
                switch entry[key]! {
                case .number, .string, .bool: params[key] = ParamValue(scalar: entry[key]!)
                case .object(let inner):
                    let example = inner.keys.sorted().first.map { "\(key).\($0): \(ConfigReader.show(inner[$0]!))" }
                        ?? "\(key).name: value"
                    throw document.error(field: place, "must be a number, string or boolean (got a mapping); "
                                             + "write nested keys dotted, e.g. \(example)")
                case let other:
                    // null cannot be stored with the trial: a retried trial would run without it.
                    throw document.error(field: place, "must be a number, string or boolean (got \(ConfigReader.show(other)))")
                }
                if let other = entry.keys.first(where: { $0 != key && key.hasPrefix($0 + ".") }) {
                    throw document.error(field: place, "conflicts with \(field).\(other), which sets the whole of \(other)")
                }
            }
            return Arm(name: name, params: params)
        }
    }

    /// `seeds: N` → 1 … N; or an explicit list of distinct integers in 0 ..< 2^31.
    private static func parseSeeds(_ r: ConfigReader, _ document: ConfigDocument) throws -> [Int64] {
        let limit = Double(1 << 31)
        guard let raw = r.raw("seeds") else {
            throw r.missing("seeds", "a count N for seeds 1 … N, or a list of distinct seeds")
        }
        switch raw {
        case .number(let n) where n == n.rounded():
            guard n >= 1, n < limit else {
                throw document.error(field: "seeds", "must be a count >= 1 (seeds 1 … N) or a list of seeds "
                                         + "(got \(ConfigReader.show(raw)))")
            }
            return (1...Int64(n)).map { $0 }
        case .array(let items):
            guard !items.isEmpty else {
                throw document.error(field: "seeds", "lists no seed: give a count N (seeds 1 … N) or at least one seed")
            }
            var seeds: [Int64] = []
            for (index, item) in items.enumerated() {
                guard case .number(let x) = item, x == x.rounded(), x >= 0, x < limit else {
                    throw document.error(field: "seeds[\(index)]", "must be an integer in 0 … 2147483647 "
                                             + "(got \(ConfigReader.show(item)))")
                }
                if let first = seeds.firstIndex(of: Int64(x)) {
                    throw document.error(field: "seeds[\(index)]", "seed \(Int64(x)) is listed twice (also seeds[\(first)]): "
                                             + "seeds must be distinct")
                }
                seeds.append(Int64(x))
            }
            return seeds
        default:
            throw document.error(field: "seeds", "must be a count N (seeds 1 … N) or a list of distinct seeds "
                                     + "(got \(ConfigReader.show(raw)))")
        }
    }

    private static func parseReportMetrics(_ r: ConfigReader, _ document: ConfigDocument) throws -> [String] {
        guard let raw = r.raw("report_metrics") else { return [] }
        guard case .array(let items) = raw else {
            throw document.error(field: "report_metrics", "must be a list of metric names, e.g. [val_pass1, val_loss] "
                                     + "(got \(ConfigReader.show(raw)))")
        }
        var names: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let name) = item, !name.isEmpty else {
                throw document.error(field: "report_metrics[\(index)]", "must be a metric name (got \(ConfigReader.show(item)))")
            }
            guard !names.contains(name) else {
                throw document.error(field: "report_metrics[\(index)]", "\(name) is listed twice")
            }
            names.append(name)
        }
        return names
    }
}
