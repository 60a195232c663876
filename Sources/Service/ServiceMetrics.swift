import Foundation
import Prometheus
import Scheduler
import SweepStore

/// Prometheus metrics of the daemon (`GET /metrics`, text format, bearer token needed):
/// slots, queue length, sweeps by service state, trials by state (whole store), and the
/// scheduler's own CPU time per report, and each report's latency to its commit. Gauges are read at scrape time; report counters are
/// fed by each sweep's loop thread once a second.
final class ServiceMetrics: @unchecked Sendable {
    let registry = PrometheusCollectorRegistry()
    private let slots: Gauge
    private let slotsInUse: Gauge
    private let gpus: Gauge
    private let gpusInUse: Gauge
    private let queueLength: Gauge
    private let sweeps: [QueueEntry.State: Gauge]
    private let trials: [TrialState: Gauge]
    private let reports: Counter
    private let reportSeconds: ValueHistogram
    private let reportLatency: ValueHistogram

    init() {
        let registry = self.registry
        slots = registry.makeGauge(name: "vsweep_slots", help: "Trial slots of the machine (vsweep serve --slots)")
        slotsInUse = registry.makeGauge(name: "vsweep_slots_in_use", help: "Slots held by running trials")
        gpus = registry.makeGauge(name: "vsweep_gpus", help: "GPUs the daemon leases to trials (vsweep serve --gpus)")
        gpusInUse = registry.makeGauge(name: "vsweep_gpus_in_use", help: "GPUs leased to running trials")
        queueLength = registry.makeGauge(name: "vsweep_queue_length", help: "Sweeps submitted and waiting to start")
        sweeps = Dictionary(uniqueKeysWithValues: QueueEntry.State.allCases.map { state in
            (state, registry.makeGauge(name: "vsweep_sweeps", labels: [("state", state.rawValue)],
                                       help: "Sweeps submitted to this service, by service state"))
        })
        trials = Dictionary(uniqueKeysWithValues: TrialState.allCases.map { state in
            (state, registry.makeGauge(name: "vsweep_trials", labels: [("state", state.rawValue)],
                                       help: "Trials in the store, by state"))
        })
        reports = registry.makeCounter(name: "vsweep_reports_total", help: "Reports recorded by the sweeps this daemon ran")
        reportSeconds = registry.makeValueHistogram(
            name: "vsweep_report_processing_seconds",
            buckets: [1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2],
            help: "Scheduler CPU time per report (decode, stopping decision, store commit), the mean of each second's reports")
        reportLatency = registry.makeValueHistogram(
            name: "vsweep_report_latency_seconds",
            buckets: [1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 1],
            help: "Each report's latency: from its line reaching the sweep's scheduler loop to the commit that recorded it")
    }

    /// Loop thread of a sweep: the reports recorded since the last call (`stats` deltas).
    func recordReports(count: Int, nanoseconds: UInt64) {
        guard count > 0 else { return }
        reports.increment(by: Int64(count))
        let perReport = Double(nanoseconds) / Double(count) / 1e9
        for _ in 0..<min(count, 10_000) { reportSeconds.record(perReport) }
    }

    /// Loop thread of a sweep, after a commit: each report's latency (nanoseconds).
    func recordReportLatencies(_ nanoseconds: [UInt64]) {
        for value in nanoseconds { reportLatency.record(Double(value) / 1e9) }
    }

    /// The text exposition, gauges refreshed from the daemon and the store first.
    func render(daemon: ServiceDaemon, store: SweepStore) -> String {
        slots.set(Double(daemon.settings.slots))
        slotsInUse.set(Double(daemon.slotsInUse))
        let holders = daemon.gpuHolders
        gpus.set(Double(holders.count))
        gpusInUse.set(Double(holders.filter { $0.entry != nil }.count))
        let queue = daemon.snapshot
        queueLength.set(Double(queue.filter { $0.state == .queued }.count))
        for (state, gauge) in sweeps { gauge.set(Double(queue.filter { $0.state == state }.count)) }
        let counts = (try? store.trialCountsAll()) ?? [:]
        for (state, gauge) in trials { gauge.set(Double(counts[state] ?? 0)) }
        return registry.emitToString()
    }
}
