import Foundation
import TrialProtocol
import Vocabulary

/// The `noop.*` knobs of a trial config. Report indices count from 1.
struct NoopSettings {
    /// Reports per trial; default `budget.updates / updates_per_report`, else 27.
    var reports = 27
    var updatesPerReport = 1
    /// `bench`: the scheduler benchmark's formula; `constant`: `noop.constant`.
    var formula = "bench"
    var constant = 0.5
    var crashAtReport: Int?
    /// With `crash_once`, a marker file in the checkpoint directory makes the crash
    /// happen on the first attempt only, so a retry completes.
    var crashOnce = false
    var hangAtReport: Int?
    var nanAtReport: Int?
    var garbageLines = 0
    var oversizedLineBytes = 0
    var sleepMillisecondsPerReport = 0
    /// Reports between checkpoints (0: only the SIGTERM checkpoint).
    var checkpointEvery = 0
}

/// A trial config as the noop engine reads it: plain JSON, unknown fields ignored
/// (the scheduler adds fields for other engines).
struct NoopConfig {
    var trial: String?
    var metricName = "value"
    var x1 = 0.5
    var x2 = 0.003
    var x3 = 4.0
    var checkpointDirectory = "."
    var settings = NoopSettings()
    var echo: JSONValue

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NoopError("cannot read config \(path)")
        }
        echo = try JSONDecoder().decode(JSONValue.self, from: data)
        guard case .object(let root) = echo else { throw NoopError("\(path): the top level must be an object") }
        if case .string(let name)? = root[TrialConfigKey.trial.name] { trial = name }
        x1 = try Self.number(root["x1"], "x1") ?? x1
        x2 = try Self.number(root["x2"], "x2") ?? x2
        x3 = try Self.number(root["x3"], "x3") ?? x3
        let dirKey = TrialConfigKey.checkpointDir, updatesKey = TrialBudget.Key.updates.configKey
        if case .string(let dir)? = root[TrialConfigKey.checkpointSection]?[dirKey.name] { checkpointDirectory = dir }
        if let updates = try Self.number(root[TrialBudget.configSection]?[updatesKey.name], updatesKey.dotted) {
            settings.reports = Int(updates)
        }
        guard let noop = root["noop"] else { return }
        func int(_ key: String) throws -> Int? { try Self.number(noop[key], "noop." + key).map { Int($0) } }
        settings.updatesPerReport = try int("updates_per_report") ?? 1
        if let reports = try int("reports") {
            settings.reports = reports
        } else if settings.updatesPerReport > 1 {
            settings.reports /= settings.updatesPerReport
        }
        if case .string(let formula)? = noop["formula"] { settings.formula = formula }
        if case .string(let metric)? = noop["metric"] { metricName = metric }
        settings.constant = try Self.number(noop["constant"], "noop.constant") ?? settings.constant
        settings.crashAtReport = try int("crash_at_report")
        if case .bool(let once)? = noop["crash_once"] { settings.crashOnce = once }
        settings.hangAtReport = try int("hang_at_report")
        settings.nanAtReport = try int("nan_at_report")
        settings.garbageLines = try int("garbage_lines") ?? 0
        settings.oversizedLineBytes = try int("oversized_line_bytes") ?? 0
        settings.sleepMillisecondsPerReport = try int("sleep_ms_per_report") ?? 0
        settings.checkpointEvery = try int("checkpoint_every") ?? 0
        guard ["bench", "constant"].contains(settings.formula) else {
            throw NoopError("noop.formula must be bench or constant, got \(settings.formula)")
        }
        guard settings.reports >= 1, settings.updatesPerReport >= 1 else {
            throw NoopError("noop.reports and noop.updates_per_report must be >= 1")
        }
    }

    /// v(step) = (1 − exp(−step/(3 + 10·x1)))·(1 − |log10(x2) + 2.5|/3) + 0.01·log2(x3),
    /// with `step` the report index.
    func value(atStep step: Int) -> Double {
        if settings.formula == "constant" { return settings.constant }
        let rise = 1 - exp(-Double(step) / (3 + 10 * x1))
        let quality = 1 - abs(log10(x2) + 2.5) / 3
        return rise * quality + 0.01 * log2(x3)
    }

    private static func number(_ value: JSONValue?, _ field: String) throws -> Double? {
        switch value {
        case nil, .null?: return nil
        case .number(let x)?: return x
        default: throw NoopError("\(field) must be a number")
        }
    }
}

struct NoopError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The checkpoint: the index of the last report made, as text, written atomically.
enum NoopCheckpoint {
    static func write(index: Int, path: String) -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data("\(index)\n".utf8)) else {
            return false
        }
        return rename(temporary, path) == 0
    }

    static func read(path: String) -> Int? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// True when a scripted crash already happened once (and crash_once is set).
    static func consumeCrashOnce(config: NoopConfig) -> Bool {
        guard config.settings.crashOnce else { return false }
        let marker = config.checkpointDirectory + "/noop.crashed"
        if FileManager.default.fileExists(atPath: marker) { return true }
        try? FileManager.default.createDirectory(atPath: config.checkpointDirectory,
                                                 withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: marker, contents: Data())
        return false
    }
}
