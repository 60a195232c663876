import EventLoop
import Executors
import Foundation
import SweepStore

/// Everything `vsweep run` does, outside the CLI: load the spec, open the store (WAL),
/// build the loop, the local executor and the runner, and run the sweep.
public enum SweepSession {
    /// The engine argv for a spec: its own list, or the running vsweep executable
    /// with `train` for `builtin`.
    public static func engineArgv(for spec: SweepSpec) throws -> [String] {
        switch spec.engine {
        case .command(let argv): return argv
        case .builtin:
            let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
            guard FileManager.default.isExecutableFile(atPath: executable) else {
                throw SchedulerError.engineNotFound("cannot find the running vsweep executable for engine: builtin")
            }
            return [executable, "train"]
        case .torch:
            return torchEngineArgv(environment: ProcessInfo.processInfo.environment,
                                   executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path)
        }
    }

    /// `engine: torch`: `[python, -m, vsweep_torch.train]` with the interpreter `$VSWEEP_PYTHON`
    /// (default `python3`). When the package is not installed, its folder is put on the path:
    /// `$VSWEEP_TORCH_PATH`, else `Sources/TorchEngine` of the checkout the executable was built in
    /// (`<repo>/.build/<config>/vsweep`), via `-c` (no shell is involved).
    public static func torchEngineArgv(environment: [String: String], executable: String) -> [String] {
        let python = environment["VSWEEP_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
        var package = environment["VSWEEP_TORCH_PATH"].flatMap { $0.isEmpty ? nil : $0 }
        if package == nil {
            var dir = URL(fileURLWithPath: executable).deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = dir.appendingPathComponent("Sources/TorchEngine/vsweep_torch/train.py").path
                if FileManager.default.fileExists(atPath: candidate) {
                    package = dir.appendingPathComponent("Sources/TorchEngine").path
                    break
                }
                dir.deleteLastPathComponent()
            }
        }
        guard let package else { return [python, "-m", "vsweep_torch.train"] }
        let literal = "'" + package.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        return [python, "-c", "import sys; sys.path.insert(0, \(literal)); from vsweep_torch.train import main; main()"]
    }

    /// Runs the sweep of `specPath` to its end (or a signal) and returns how it ended
    /// with the runner's counters.
    public static func run(specPath: String, databasePath: String, runsDirectory: String = "runs",
                           newSweep: Bool = false, engineArgv: [String]? = nil, warmStartFrom: String? = nil,
                           log: ((SweepRunner.LogLevel, String) -> Void)?,
                           prepare: ((SweepRunner, SweepStore) -> Void)? = nil) throws
        -> (outcome: SweepRunner.Outcome, runner: SweepRunner) {
        try run(spec: try SweepSpec.load(path: specPath), databasePath: databasePath, runsDirectory: runsDirectory,
                newSweep: newSweep, engineArgv: engineArgv, warmStartFrom: warmStartFrom, log: log, prepare: prepare)
    }

    /// Runs `spec` with parameters from `source` (the spec's search by default; a
    /// comparison passes its arms × seeds). `prepare` sees the runner and the store
    /// before the run starts (to attach a live view).
    public static func run(spec: SweepSpec, source: (any ParameterSource)? = nil, databasePath: String,
                           runsDirectory: String = "runs", newSweep: Bool = false, engineArgv: [String]? = nil,
                           warmStartFrom: String? = nil, sharedLock: SchedulerLock? = nil, log: ((SweepRunner.LogLevel, String) -> Void)?,
                           prepare: ((SweepRunner, SweepStore) -> Void)? = nil) throws
        -> (outcome: SweepRunner.Outcome, runner: SweepRunner) {
        let directory = (databasePath as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let store = try SweepStore.open(path: databasePath)
        let loop = try Loop()
        let executor = try makeExecutor(spec, loop: loop, runsDirectory: runsDirectory)
        let timers = LoopTimers(loop: loop)
        let argv = try engineArgv ?? Self.engineArgv(for: spec)
        let existing = try store.sweep(named: spec.name)
        let recordedWarmStart = Provenance.decode(existing?.provenance)?.warmStartFrom
        if let warmStartFrom, let recordedWarmStart, warmStartFrom != recordedWarmStart, !newSweep {
            throw SchedulerError.invalidSpec("--warm-start-from \(warmStartFrom): sweep \(spec.name) was warm-started "
                                             + "from \(recordedWarmStart); resume it with the same sweep, or --new")
        }
        let warmStart = warmStartFrom ?? (newSweep ? nil : recordedWarmStart)
        var source = source
        if let warmStart, source == nil {
            source = WarmStartedParameterSource(base: try SearchParameterSource.checked(spec),
                                                prior: try WarmStartedParameterSource.prior(from: warmStart, store: store,
                                                                                            for: spec))
        }
        if existing.map({ $0.trialsStarted == 0 }) ?? true {
            try EnginePreflight.check(spec, engineArgv: argv, runsDirectory: runsDirectory)
        }
        let runner = try SweepRunner(spec: spec, store: store, loop: loop, executor: executor,
                                     executorName: spec.executor.name, timers: timers, engineArgv: argv,
                                     runsDirectory: runsDirectory, source: source, newSweep: newSweep,
                                     sharedLock: sharedLock)
        if runner.sweep.provenance == nil {
            try store.recordProvenance(sweepID: runner.sweep.id,
                                       json: Provenance.collect(spec: spec, engineArgv: argv,
                                                                warmStartFrom: warmStart).encoded())
        }
        runner.onLog = log
        if let slurm = executor as? SlurmExecutor {
            slurm.onDiagnostic = { [unowned runner] message in runner.log(.info, "slurm: \(message)") }
        }
        prepare?(runner, store)
        return (try runner.run(), runner)
    }

    /// The spec's executor; Slurm job scripts and output files go to `<runs>/<sweep>/slurm/`.
    static func makeExecutor(_ spec: SweepSpec, loop: Loop, runsDirectory: String) throws -> any TrialExecutor {
        switch spec.executor {
        case .local:
            return try LocalProcessExecutor(loop: loop)
        case .slurm(let slurm):
            try checkSlurmCommands(slurm)
            let spool = (runsDirectory as NSString).appendingPathComponent(spec.name + "/slurm")
            let settings = SlurmSettings(binDirectory: slurm.binDirectory, sbatchArguments: slurm.sbatchArguments,
                                         spoolDirectory: spool,
                                         pollInterval: .milliseconds(Int64((slurm.pollSeconds * 1000).rounded())))
            return try SlurmExecutor(loop: loop, settings: settings)
        }
    }

    /// Refuses to start a Slurm sweep whose commands cannot be found, before any trial
    /// is enqueued (otherwise every trial would fail to start, one by one).
    static func checkSlurmCommands(_ slurm: SlurmSpec) throws {
        let searched = slurm.binDirectory.map { [$0] }
            ?? (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for command in ["sbatch", "squeue", "sacct", "scancel"] {
            let found = searched.contains { FileManager.default.isExecutableFile(atPath: ($0 as NSString).appendingPathComponent(command)) }
            if !found {
                let place = slurm.binDirectory.map { "in \($0) (executor.bin_dir)" }
                    ?? "on PATH (install Slurm's client commands or set executor.bin_dir)"
                throw SchedulerError.engineNotFound("executor slurm: no executable \(command) \(place)")
            }
        }
    }
}
