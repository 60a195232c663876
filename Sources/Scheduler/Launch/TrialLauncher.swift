import Vocabulary
import EventLoop
import Executors
import Foundation
import TrialProtocol

/// Turns a trial into what the executor runs: writes
/// `<runs>/<sweep>/trial-<n>/config.json` (the base trial config with the sampled
/// parameters set as dotted keys, plus `budget`, `seed`, `trial` and
/// `checkpoint.dir`: `TrialConfigKey`) and hands the engine a `TrialAssignment`
/// (argv = engine argv + its arguments; environment = ours + its variables).
public struct TrialLauncher {
    public let spec: SweepSpec
    /// The engine argv, with `builtin` already resolved to a path.
    public let engineArgv: [String]
    /// `runs` by default; trial directories go under `<runsDirectory>/<sweep>/`.
    public let runsDirectory: String
    private let baseEnvironment: [String: String]

    public init(spec: SweepSpec, engineArgv: [String], runsDirectory: String,
                environment: [String: String] = ProcessEnvironment.current()) {
        self.spec = spec
        self.engineArgv = engineArgv
        self.runsDirectory = runsDirectory
        self.baseEnvironment = environment
    }

    public func trialDirectory(number: Int64) -> String {
        "\(runsDirectory)/\(spec.name)/trial-\(number)"
    }

    public static func trialKey(sweep: String, number: Int64) -> String { "\(sweep)-\(number)" }

    /// Where an attempt's stdout (`attempt-<k>.stdout`, its own per attempt so that a
    /// restarted scheduler reads the right one) and the trial's stderr (`stderr.log`,
    /// appended by every attempt) go; absolute (see `TrialOutputFiles`).
    public func outputFiles(number: Int64, attempt: Int) -> TrialOutputFiles {
        var directory = trialDirectory(number: number)
        if !directory.hasPrefix("/") {
            directory = FileManager.default.currentDirectoryPath + "/" + directory
        }
        return TrialOutputFiles(stdout: "\(directory)/attempt-\(attempt).stdout", stderr: directory + "/stderr.log")
    }

    /// The config the engine receives for this trial.
    public func config(number: Int64, params: ParamAssignment, seed: Int64) -> JSONValue {
        var root = spec.trial
        for name in params.keys.sorted() { Self.set(&root, path: name, to: JSONValue(params[name]!)) }
        if let budget = spec.budget {
            Self.set(&root, path: TrialBudget.configSection, to: .object([budget.key.rawValue: .number(budget.amount)]))
        }
        Self.set(&root, path: TrialConfigKey.seed.dotted, to: .number(Double(seed)))
        Self.set(&root, path: TrialConfigKey.trial.dotted, to: .string(Self.trialKey(sweep: spec.name, number: number)))
        Self.set(&root, path: TrialConfigKey.checkpointDir.dotted, to: .string(trialDirectory(number: number)))
        return root
    }

    /// Writes the config (atomically) and returns the launch. `slot` picks the GPUs from
    /// `parallel.gpus`, unless `gpus` (a lease of `vsweep serve`'s GPUs) names them.
    public func launch(number: Int64, params: ParamAssignment, seed: Int64, slot: Int, gpus: [String]? = nil,
                       resumeFrom checkpoint: String?, output: TrialOutputFiles? = nil) throws -> TrialLaunch {
        let directory = trialDirectory(number: number)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + TrialAssignment.configFileName
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = try encoder.encode(config(number: number, params: params, seed: seed))
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        let key = Self.trialKey(sweep: spec.name, number: number)
        let assignment = TrialAssignment(configPath: path, resumeFrom: checkpoint, trialKey: key,
                                         threads: spec.threadsPerTrial, gpus: gpus ?? self.gpus(slot: slot))
        return TrialLaunch(argv: engineArgv + assignment.arguments,
                           environment: baseEnvironment.merging(assignment.environment) { $1 },
                           trialKey: key, output: output)
    }

    /// The GPUs of slot `slot`: `gpus_per_trial` of the listed ones, round robin; nil
    /// (the environment's `CUDA_VISIBLE_DEVICES` left as it is) when none are listed.
    func gpus(slot: Int) -> [String]? {
        guard !spec.gpus.isEmpty else { return nil }
        let k = max(1, spec.gpusPerTrial)
        return (0..<k).map { spec.gpus[(slot * k + $0) % spec.gpus.count] }
    }

    /// Sets a dotted key, creating mappings on the way (a non-mapping in the way is replaced).
    static func set(_ node: inout JSONValue, path: String, to value: JSONValue) {
        set(&node, parts: path.split(separator: ".").map(String.init)[...], to: value)
    }

    private static func set(_ node: inout JSONValue, parts: ArraySlice<String>, to value: JSONValue) {
        guard let head = parts.first else { node = value; return }
        var object: [String: JSONValue] = [:]
        if case .object(let existing) = node { object = existing }
        var child = object[head] ?? .null
        set(&child, parts: parts.dropFirst(), to: value)
        object[head] = child
        node = .object(object)
    }

    /// The seed of trial n: a stable function of (search seed, n), below 2^31 so that
    /// every engine can take it.
    public static func seed(searchSeed: UInt64, number: Int64) -> Int64 {
        let z = SplitMix64.mix(searchSeed &* SplitMix64.golden &+ UInt64(bitPattern: number))
        return Int64(z % (1 << 31))
    }
}
