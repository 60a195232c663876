import ArgumentParser
import Foundation
import Service

@main
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vsweep serve",
        abstract: "Run the scheduler service: a queue of sweeps sharing this machine's slots, an HTTP/JSON API and a dashboard.",
        discussion: """
        Listens on 127.0.0.1 only unless --allow-remote. Every API request needs the bearer token \
        created on the first start in <storage>/service/token (mode 0600); the dashboard is \
        http://127.0.0.1:PORT/#token=TOKEN. <storage>/service/endpoint.json tells clients the \
        address. SIGTERM or SIGINT stops the running trials (re-queued) and exits; the next start \
        resumes every sweep it was running, as after kill -9. API: docs/openapi.yaml.
        """)

    @Option(help: "Directory for the database and the service's files.") var storage = "storage"
    @Option(help: "Sweep database (default <storage>/vsweep.sqlite).") var db: String?
    @Option(help: "Directory for trial configs, checkpoints and logs.") var runs = "runs"
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port (0: any free port; the chosen one is in endpoint.json).") var port = 8470
    @Flag(help: "Allow a non-loopback --host (prints a warning).") var allowRemote = false
    @Option(help: "Trials run at once across all sweeps (default: the number of CPU threads).")
    var slots: Int?
    @Option(help: "Sweeps run side by side at most (default: --slots).") var maxRunning: Int?
    @Option(help: ArgumentHelp("GPUs the service leases to trials, e.g. 0,1 (default: $CUDA_VISIBLE_DEVICES, else none; 'none': none). "
                               + "A sweep's parallel.gpus must be a subset; each trial gets gpus_per_trial of them to itself.",
                               valueName: "ids"))
    var gpus: String?
    @Option(help: "URL to POST a JSON notice to when a sweep finishes, fails or is cancelled.") var webhook: String?
    @Option(help: "The vsweep executable that runs builtin-engine trials (default: the one next to this program).")
    var vsweep: String?

    func validate() throws {
        if let slots, slots < 1 { throw ValidationError("--slots must be >= 1") }
        if let maxRunning, maxRunning < 1 { throw ValidationError("--max-running must be >= 1") }
        if !(0...65535).contains(port) { throw ValidationError("--port must be 0...65535") }
        if let webhook, URL(string: webhook)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            throw ValidationError("--webhook must be an http or https URL")
        }
    }

    /// `--gpus`, else `CUDA_VISIBLE_DEVICES`, as a list of ids. From the variable, as CUDA
    /// reads it, the list ends at a negative id (`-1`: no GPU).
    static func gpuList(_ option: String?, environment: [String: String]) throws -> [String] {
        var text = option ?? environment["CUDA_VISIBLE_DEVICES"] ?? ""
        if option == nil {
            text = text.split(separator: ",", omittingEmptySubsequences: false)
                .prefix { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("-") }.joined(separator: ",")
        }
        if text.trimmingCharacters(in: .whitespaces).isEmpty || text == "none" { return [] }
        let ids = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if ids.contains(where: { $0.isEmpty || $0.hasPrefix("-") }) || Set(ids).count != ids.count {
            throw ValidationError("--gpus must be distinct GPU ids separated by commas, e.g. 0,1 (got \(text))")
        }
        return ids
    }

    func run() throws {
        let gpus = try Self.gpuList(self.gpus, environment: ProcessInfo.processInfo.environment)
        let slots = self.slots ?? ProcessInfo.processInfo.activeProcessorCount
        let options = ServiceServer.Options(
            layout: ServiceLayout(storage: storage, database: db, runs: runs,
                                  vsweepExecutable: vsweep ?? ServiceLayout.siblingVSweep()), host: host, port: port,
            allowRemote: allowRemote,
            settings: .init(slots: slots, maxRunning: maxRunning, webhook: webhook.flatMap(URL.init(string:)), gpus: gpus))
        do {
            try ServiceServer.run(options) { message in
                FileHandle.standardError.write(Data("serve: \(message)\n".utf8))
            }
        } catch let error as ServiceError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
