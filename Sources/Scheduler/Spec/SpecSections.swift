import Vocabulary
import ConfigFiles
import Foundation
import TrialProtocol

/// The sections a sweep spec and a comparison spec share (docs/sweep-spec.md), parsed
/// by one piece of code so that both formats accept and refuse the same things with
/// the same messages. Every error names the file, the line and the field.
enum SpecSections {
    /// The sweep's name: it names a directory (`runs/<name>/`), so it is restricted.
    static func name(_ r: ConfigReader, _ document: ConfigDocument) throws -> String {
        let name = try r.string("name")
        guard !name.isEmpty, !name.hasPrefix("."),
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw document.error(field: "name", "must be letters, digits, '-', '_' or '.', not starting with '.' "
                                     + "(it names the directory runs/<name>/), got \"\(name)\"")
        }
        return name
    }

    static func engine(_ r: ConfigReader, _ document: ConfigDocument) throws -> SweepSpec.Engine {
        switch r.raw("engine") {
        case nil, .string("builtin")?:
            return .builtin
        case .string("torch")?:
            return .torch
        case .array(let items)?:
            guard !items.isEmpty else {
                throw document.error(field: "engine", "an engine argv needs a program, e.g. [python3, engine.py]")
            }
            return .command(try items.enumerated().map { index, item in
                guard case .string(let s) = item else {
                    throw document.error(field: "engine[\(index)]", "must be a string (got \(ConfigReader.show(item))); "
                                             + "the engine is an argv list of strings, e.g. [python3, engine.py]")
                }
                if index == 0 && s.isEmpty { throw document.error(field: "engine[0]", "the program must not be empty") }
                return s
            })
        case .string(let s)?:
            let words = s.split(separator: " ").joined(separator: ", ")
            throw document.error(field: "engine", "must be builtin, torch or a list of strings, the engine's argv (got \"\(s)\"); "
                                     + "a string is never split into words or run by a shell: write [\(words)]")
        case let other?:
            throw document.error(field: "engine", "must be builtin, torch or a list of strings, the engine's argv "
                                     + "(got \(ConfigReader.show(other)))")
        }
    }

    /// The base trial config: `trial:` inline, or `trial_file:` (relative paths are
    /// resolved against the spec's directory), or empty.
    /// The base trial config, with the input paths of vsweep's own engines resolved.
    static func trial(_ r: ConfigReader, _ document: ConfigDocument, source: String,
                      engine: SweepSpec.Engine) throws -> JSONValue {
        let trial = try trialConfig(r, document, source: source)
        if case .command = engine { return trial }
        return resolveInputs(trial, against: (source as NSString).deletingLastPathComponent)
    }

    /// Relative `base` and `data` of the built-in and PyTorch engines resolve against the
    /// spec's directory (as `trial_file` does), not the directory `vsweep run` happens to
    /// be started from: the same spec then runs the same inputs from anywhere. External
    /// engines' keys are their own and are passed as written.
    static func resolveInputs(_ trial: JSONValue, against directory: String) -> JSONValue {
        guard !directory.isEmpty, case .object(var fields) = trial else { return trial }
        let absolute = directory.hasPrefix("/") ? directory
            : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(directory)
        for key in ["base", "data"] {
            guard case .string(let path)? = fields[key], !path.isEmpty, !path.hasPrefix("/") else { continue }
            fields[key] = .string(((absolute as NSString).appendingPathComponent(path) as NSString).standardizingPath)
        }
        return .object(fields)
    }

    private static func trialConfig(_ r: ConfigReader, _ document: ConfigDocument, source: String) throws -> JSONValue {
        let inline = r.raw("trial")
        let file = try r.optionalString("trial_file")
        switch (inline, file) {
        case (.some, .some):
            throw document.error(field: "trial_file", "give either trial or trial_file, not both")
        case (.some(let value), nil):
            guard case .object = value else {
                throw document.error(field: "trial", "must be a mapping, the base trial config "
                                         + "(got \(ConfigReader.show(value))); a file goes in trial_file")
            }
            return value
        case (nil, .some(let path)):
            let resolved = path.hasPrefix("/") ? path
                : ((source as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: resolved) else {
                throw document.error(field: "trial_file", "no file at \(resolved) "
                                         + "(a relative path is resolved against the spec's directory)")
            }
            do {
                return try ConfigDocument.load(path: resolved).root
            } catch let error as ConfigFileError {
                throw document.error(field: "trial_file", "the trial config is invalid: \(error)")
            }
        case (nil, nil):
            return .object([:])
        }
    }

    /// The per-trial budget; nil when the section is absent. A present section must
    /// give exactly one of `updates` and `seconds`.
    static func budget(_ r: ConfigReader, _ document: ConfigDocument) throws -> TrialBudget? {
        let present = r.has("budget")
        if let raw = r.raw("budget"), !isMapping(raw) {
            throw document.error(field: "budget", "must be {updates: N} or {seconds: S} (got \(ConfigReader.show(raw)))")
        }
        let section = try r.section("budget")
        let updates = try section.optionalInt("updates", ">= 1", where: { $0 >= 1 })
        let seconds = try section.optionalDouble("seconds", "> 0", where: { $0 > 0 && $0.isFinite })
        try section.finish()
        switch (updates, seconds) {
        case (let updates?, nil): return .updates(updates)
        case (nil, let seconds?): return .seconds(seconds)
        case (.some, .some):
            throw document.error(field: "budget", "give exactly one of updates or seconds, not both")
        case (nil, nil):
            if present { throw document.error(field: "budget", "give exactly one of updates or seconds") }
            return nil
        }
    }

    /// `metric: {name, goal}`. A sweep selects on its metric (and its stopping rule reads
    /// it): a metric that reads the test split is refused there unless
    /// `metric.allow_test_split: true` says so, because a configuration chosen on test
    /// has an optimistically biased test score. Comparisons (`selecting: false`) report
    /// test at the end, which is what the split is for.
    static func metric(_ r: ConfigReader, _ document: ConfigDocument,
                       selecting: Bool = false) throws -> (name: String, goal: Goal, selectsOnTest: Bool) {
        guard r.has("metric") else {
            throw r.missing("metric", "{name: <a metric the engine reports>, goal: minimize | maximize}")
        }
        let section = try r.section("metric")
        let name = try section.string("name")
        guard !name.isEmpty else { throw document.error(field: "metric.name", "must not be empty (a metric the engine reports)") }
        let goal: Goal = try section.choice("goal")
        var selectsOnTest = false
        if selecting {
            let allowed = try section.bool("allow_test_split", default: false)
            let readsTest = SweepSpec.readsTestSplit(name)
            if readsTest && !allowed {
                throw document.error(field: "metric.name", "\(name) reads the test split: a configuration selected "
                                         + "(or a trial stopped) on test has an optimistically biased test score. "
                                         + "Select on a validation metric (e.g. val_pass1, val_loss) and report test "
                                         + "once at the end (vsweep compare); to select on test anyway, set "
                                         + "metric.allow_test_split: true (the sweep is then marked, and best, show, "
                                         + "compare and reports warn)")
            }
            if allowed && !readsTest {
                throw document.error(field: "metric.allow_test_split", "is set but \(name) does not read the test "
                                         + "split (no `test` in its name); remove it")
            }
            selectsOnTest = readsTest && allowed
        }
        try section.finish()
        return (name, goal, selectsOnTest)
    }

    /// `parallel`, `retries` and `deadline`: how trials are run, the same for sweeps
    /// and comparisons.
    static func execution(_ r: ConfigReader, _ document: ConfigDocument) throws -> ExecutionSpec {
        var result = ExecutionSpec()
        let parallel = try r.section("parallel")
        result.parallelTrials = try parallel.int("trials", default: 1, ">= 1", where: { $0 >= 1 })
        result.threadsPerTrial = try parallel.int("threads_per_trial", default: 1, ">= 1", where: { $0 >= 1 })
        if let list = parallel.raw("gpus") {
            guard case .array(let items) = list else {
                throw document.error(field: "parallel.gpus", "must be a list of GPU ids, e.g. [0, 1] (got \(ConfigReader.show(list)))")
            }
            for (index, item) in items.enumerated() {
                switch item {
                case .number(let x) where x == x.rounded() && x >= 0 && x < 1e9: result.gpus.append(String(Int(x)))
                case .string(let s) where !s.isEmpty && !s.contains(","): result.gpus.append(s)
                default:
                    throw document.error(field: "parallel.gpus[\(index)]", "must be a GPU id: an integer >= 0 or a name "
                                             + "without commas (got \(ConfigReader.show(item)))")
                }
            }
        }
        result.gpusPerTrial = try parallel.int("gpus_per_trial", default: 1, ">= 1", where: { $0 >= 1 })
        if result.gpusPerTrial > 1 && result.gpusPerTrial > result.gpus.count {
            throw document.error(field: "parallel.gpus_per_trial", "asks for \(result.gpusPerTrial) GPUs per trial but "
                                     + "parallel.gpus lists \(result.gpus.count)")
        }
        try parallel.finish()

        let retries = try r.section("retries")
        result.maxAttempts = try retries.int("max_attempts", default: 3, ">= 1 (starts per trial, the first included)",
                                             where: { $0 >= 1 })
        try retries.finish()

        let deadline = try r.section("deadline")
        result.graceSeconds = try deadline.double("grace_seconds", default: 10, ">= 0", where: { $0 >= 0 && $0.isFinite })
        result.timeoutSeconds = try deadline.optionalDouble("timeout_seconds", "> 0", where: { $0 > 0 && $0.isFinite })
        result.silenceSeconds = try deadline.optionalDouble("silence_seconds", "> 0", where: { $0 > 0 && $0.isFinite })
        try deadline.finish()

        result.executor = try executor(r, document)
        if case .slurm = result.executor, !result.gpus.isEmpty {
            throw document.error(field: "parallel.gpus", "maps GPUs of this machine to trials; with executor slurm, "
                                     + "ask Slurm for GPUs in executor.sbatch_args instead (e.g. --gres=gpu:1)")
        }
        return result
    }

    /// `executor:` absent or `local`, or `slurm` (a name or a mapping with `kind`).
    static func executor(_ r: ConfigReader, _ document: ConfigDocument) throws -> ExecutorSpec {
        let kinds = "local or slurm"
        switch r.raw("executor") {
        case nil, .string("local")?: return .local
        case .string("slurm")?: return .slurm(SlurmSpec())
        case .object?: break
        case let other?:
            throw document.error(field: "executor", "must be \(kinds), or a mapping such as "
                                     + "{kind: slurm, sbatch_args: [--partition=gpu]} (got \(ConfigReader.show(other)))")
        }
        let section = try r.section("executor")
        let kind = try section.string("kind")
        switch kind {
        case "local":
            try section.finish()
            return .local
        case "slurm":
            var spec = SlurmSpec()
            spec.binDirectory = try section.optionalString("bin_dir")
            if spec.binDirectory?.isEmpty == true {
                throw document.error(field: "executor.bin_dir", "must not be empty (leave it out to use PATH)")
            }
            spec.sbatchArguments = try sbatchArguments(section, document)
            spec.pollSeconds = try section.double("poll_seconds", default: 5, "between 0.01 and 600",
                                                  where: { $0 >= 0.01 && $0 <= 600 })
            try section.finish()
            return .slurm(spec)
        default:
            throw document.error(field: "executor.kind", "must be \(kinds) (got \"\(kind)\")")
        }
    }

    private static func sbatchArguments(_ section: ConfigReader, _ document: ConfigDocument) throws -> [String] {
        guard let raw = section.raw("sbatch_args") else { return [] }
        guard case .array(let items) = raw else {
            throw document.error(field: "executor.sbatch_args", "must be a list of sbatch options, e.g. "
                                     + "[--partition=gpu, --time=01:00:00] (got \(ConfigReader.show(raw)))")
        }
        return try items.enumerated().map { index, item in
            let field = "executor.sbatch_args[\(index)]"
            guard case .string(let option) = item, option.hasPrefix("-") else {
                throw document.error(field: field, "must be one sbatch option as a string starting with '-', "
                                         + "e.g. --gres=gpu:1 (got \(ConfigReader.show(item)))")
            }
            let flag = String(option.split(separator: "=", maxSplits: 1).first ?? "")
            if SlurmSpec.reservedOptions.contains(flag) || (flag.count > 2 && !flag.hasPrefix("--")
                && SlurmSpec.reservedOptions.contains(String(flag.prefix(2)))) {
                throw document.error(field: field, "\(flag) is set by vsweep for every job "
                                         + "(\(SlurmSpec.reservedOptions.joined(separator: ", ")))")
            }
            return option
        }
    }

    static func isMapping(_ value: JSONValue) -> Bool {
        if case .object = value { return true }
        return false
    }

    /// Why `key` is not a dotted config key (non-empty segments of letters, digits,
    /// `_` or `-`, as the `Search` space requires); nil when it is one.
    static func configKeyProblem(_ key: String) -> String? {
        let segments = key.split(separator: ".", omittingEmptySubsequences: false)
        let valid = !key.isEmpty && segments.allSatisfy { segment in
            !segment.isEmpty && segment.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || scalar == "_" || scalar == "-")
            }
        }
        return valid ? nil : "\"\(key)\" is not a dotted config key (segments of letters, digits, '_' or '-', "
            + "joined by '.', e.g. learner.lr)"
    }

    /// The reserved key that `key` would overwrite or be overwritten by (equal, inside
    /// it, or containing it), if any.
    static func conflict(of key: String, with reserved: [String]) -> String? {
        reserved.first { key == $0 || key.hasPrefix($0 + ".") || $0.hasPrefix(key + ".") }
    }

    /// The keys of the mapping at `path`, in the order the file gives them (a
    /// dictionary forgets it; the lines remember).
    static func fileOrder(_ keys: some Collection<String>, under path: String, _ document: ConfigDocument) -> [String] {
        keys.sorted {
            (document.lines["\(path).\($0)"] ?? 0, $0) < (document.lines["\(path).\($1)"] ?? 0, $1)
        }
    }

    /// Refuses top-level fields that belong to the other kind of spec, with a hint
    /// instead of a bare "unknown field".
    static func refuseForeign(_ fields: [String], _ r: ConfigReader, _ document: ConfigDocument, hint: String) throws {
        for field in fields where r.has(field) {
            throw document.error(field: field, hint)
        }
    }
}
