import Vocabulary
import Foundation
import TrialProtocol

/// A dry check of the engine's config before a sweep's first trial: the engine is run
/// once with `--check` on a probe config, so a bad path or field fails the command in
/// seconds with the engine's own message, instead of failing every trial one by one.
///
/// The built-in and PyTorch engines implement `--check` (load config, base and data, then
/// exit 0, or 2 with an `error` event). The probe config is the spec's trial config with
/// every searched parameter at its first value (the low bound of a range, the first
/// choice): what it checks is what all trials share — paths, fields, shapes — not every
/// point of the space. External engines are not probed: `--check` is not part of the
/// trial protocol.
public enum EnginePreflight {
    public struct Refusal: Error, CustomStringConvertible {
        public var engine: String
        public var field: String?
        public var message: String
        public var description: String {
            "the engine refused the sweep's trial config before any trial started (\(engine) --check): "
                + (field.map { "\($0): " } ?? "") + message
        }
    }

    /// Whether `spec`'s engine supports `--check`.
    public static func applies(to spec: SweepSpec) -> Bool {
        switch spec.engine {
        case .builtin, .torch: return true
        case .command: return false
        }
    }

    /// The searched parameters at their first values.
    static func probeParams(_ space: [ParameterSpec]) -> ParamAssignment {
        var params: ParamAssignment = [:]
        for p in space {
            switch p.domain {
            case .uniform(let low, _), .logUniform(let low, _): params[p.name] = .double(low)
            case .integer(let low, _): params[p.name] = .int(low)
            case .choice(let values): params[p.name] = values[0]
            case .fixed(let value): params[p.name] = value
            }
        }
        return params
    }

    /// Runs the check in `<runs>/<sweep>/preflight/` and throws `Refusal` when the engine
    /// exits 2 (a config error). Other failures (the engine cannot start, crashes) are left
    /// to the trials, which record them with their attempts.
    public static func check(_ spec: SweepSpec, engineArgv: [String], runsDirectory: String,
                             environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard applies(to: spec) else { return }
        let launcher = TrialLauncher(spec: spec, engineArgv: engineArgv, runsDirectory: runsDirectory)
        let directory = "\(runsDirectory)/\(spec.name)/preflight"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard case .object(var config) = launcher.config(number: 0, params: probeParams(spec.space), seed: 0) else { return }
        config[TrialConfigKey.checkpointSection] = .object([TrialConfigKey.checkpointDir.name: .string(directory)])
        config[TrialConfigKey.trial.name] = .string("\(spec.name)-preflight")
        let path = directory + "/" + TrialAssignment.configFileName
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try encoder.encode(JSONValue.object(config)).write(to: URL(fileURLWithPath: path), options: .atomic)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: engineArgv[0].hasPrefix("/") ? engineArgv[0] : "/usr/bin/env")
        process.arguments = (engineArgv[0].hasPrefix("/") ? [] : [engineArgv[0]]) + Array(engineArgv.dropFirst())
            + [TrialAssignment.Option.config, path, "--check"]
        var env = environment
        env[TrialAssignment.Variable.threads] = "1"
        process.environment = env
        let stdout = FileManager.default.createFile(atPath: directory + "/stdout", contents: nil)
            ? FileHandle(forWritingAtPath: directory + "/stdout") : nil
        process.standardOutput = stdout ?? FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return }
        process.waitUntilExit()
        try? stdout?.close()
        guard process.terminationReason == .exit, process.terminationStatus == 2 else { return }
        let (field, message) = engineError(in: (try? String(contentsOfFile: directory + "/stdout", encoding: .utf8)) ?? "")
        throw Refusal(engine: engineArgv.joined(separator: " "), field: field,
                      message: message ?? "exit status 2 (a config error) without an error event")
    }

    /// The last `error` event of protocol output.
    static func engineError(in output: String) -> (field: String?, message: String?) {
        var found: (String?, String?) = (nil, nil)
        for line in output.split(separator: "\n") {
            guard case .object(let o)? = try? JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)),
                  case .string("error")? = o["event"] else { continue }
            var field: String?
            if case .string(let f)? = o["field"] { field = f }
            var message: String?
            if case .string(let m)? = o["message"] { message = m }
            found = (field, message)
        }
        return found
    }
}
