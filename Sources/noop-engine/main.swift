// noop-engine: a scripted engine that speaks the trial protocol (docs/protocol.md)
// without training anything, for scheduler tests and benchmarks.
//
//   noop-engine --config FILE [--resume CHECKPOINT]
//
// FILE is the trial JSON the scheduler writes. Its parameters `x1`, `x2`, `x3`
// feed the bench formula; `noop.*` fields script misbehaviour (see NoopSettings).
import Foundation
import TrialProtocol
import Vocabulary

#if canImport(Glibc)
import Glibc
#endif

nonisolated(unsafe) var terminationRequested: sig_atomic_t = 0

/// Writes one protocol line and flushes it, as the protocol requires.
func emit(_ event: TrialEvent) {
    emitRaw(event.jsonLine())
}

/// Unbuffered: each line is one write(2), so it is flushed as the protocol asks.
/// A failed write (a full disk) ends the engine with status 1 instead of a trap.
func emitRaw(_ line: String) {
    do { try FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8)) } catch {
        logLine("cannot write to stdout (\(error)); stopping")
        exit(1)
    }
}

func logLine(_ message: String) {
    try? FileHandle.standardError.write(contentsOf: Data(("noop-engine: " + message + "\n").utf8))
}

func fail(_ message: String, field: String? = nil) -> Never {
    emit(.error(.init(message: message, field: field)))
    logLine(message)
    exit(2)
}

var arguments = CommandLine.arguments.dropFirst()
var configPath: String?
var resumePath: String?
while let argument = arguments.popFirst() {
    switch argument {
    case TrialAssignment.Option.config: configPath = arguments.popFirst()
    case TrialAssignment.Option.resume: resumePath = arguments.popFirst()
    default: fail("unknown argument \(argument); usage: noop-engine --config FILE [--resume CHECKPOINT]")
    }
}
guard let configPath else { fail("--config FILE is required") }

let config: NoopConfig
do {
    config = try NoopConfig(path: configPath)
} catch {
    fail("\(error)")
}
let settings = config.settings

signal(SIGTERM) { _ in terminationRequested = 1 }

var firstReport = 1
if let resumePath {
    guard let index = NoopCheckpoint.read(path: resumePath) else {
        fail("cannot read checkpoint \(resumePath)", field: "--resume")
    }
    firstReport = index + 1
}

// The GPUs the scheduler gave this trial, for tests of GPU leases (stderr.log of the trial).
if let devices = ProcessInfo.processInfo.environment["CUDA_VISIBLE_DEVICES"] {
    logLine("CUDA_VISIBLE_DEVICES=\(devices)")
}
emit(.started(.init(trial: config.trial, engine: "noop-engine 1", config: config.echo)))
for _ in 0..<settings.garbageLines { emitRaw("garbage: not a protocol line {") }
if settings.oversizedLineBytes > 0 {
    emitRaw(String(repeating: "x", count: settings.oversizedLineBytes))
}

let start = Date()
var lastValue = 0.0
var lastReport = firstReport - 1

@MainActor func checkpoint(_ index: Int) {
    let path = config.checkpointDirectory + "/noop.ckpt"
    guard NoopCheckpoint.write(index: index, path: path) else {
        logLine("cannot write checkpoint \(path)")
        return
    }
    emit(.checkpoint(.init(path: path, updates: index * settings.updatesPerReport)))
}

@MainActor func finishTerminated() -> Never {
    checkpoint(lastReport)
    emit(.finished(.init(reason: .terminated, updates: lastReport * settings.updatesPerReport,
                         metrics: [config.metricName: lastValue])))
    exit(0)
}

if firstReport > settings.reports {
    // Resumed after the last report: only `finished` is missing.
    emit(.finished(.init(reason: .budget, updates: settings.reports * settings.updatesPerReport,
                         metrics: [config.metricName: config.value(atStep: settings.reports)])))
    exit(0)
}

for index in firstReport...settings.reports {
    if terminationRequested != 0 { finishTerminated() }
    if settings.crashAtReport == index && !NoopCheckpoint.consumeCrashOnce(config: config) {
        logLine("crashing at report \(index) as scripted")
        exit(3)
    }
    if settings.hangAtReport == index {
        logLine("hanging at report \(index) as scripted (SIGTERM is ignored)")
        while true { sleep(60) }
    }
    if settings.sleepMillisecondsPerReport > 0 {
        usleep(useconds_t(settings.sleepMillisecondsPerReport * 1000))
        if terminationRequested != 0 { finishTerminated() }
    }
    let step = index * settings.updatesPerReport
    var value = config.value(atStep: index)
    if settings.nanAtReport == index { value = .nan }
    lastValue = value
    lastReport = index
    if settings.garbageLines > 0 { emitRaw("progress \(index) (human text on stdout)") }
    emit(.report(.init(updates: step, tokens: step * 128, trainSeconds: Date().timeIntervalSince(start),
                       metrics: [config.metricName: value])))
    if settings.checkpointEvery > 0, index % settings.checkpointEvery == 0, index < settings.reports {
        checkpoint(index)
    }
}
emit(.finished(.init(reason: .budget, updates: settings.reports * settings.updatesPerReport,
                     metrics: [config.metricName: lastValue])))
exit(0)
