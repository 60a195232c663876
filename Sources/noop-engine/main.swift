import TrialProtocol

// A scripted engine for scheduler tests and benchmarks; built out by the scheduler issue.
print(TrialEvent.error(.init(message: "noop-engine: not built yet")).jsonLine())
