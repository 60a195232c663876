import EventLoop
import Foundation
import Hummingbird
import Logging
import SweepStore

/// `vsweep serve`: the daemon, its HTTP server and its signal handling, put together.
public enum ServiceServer {
    public struct Options: Sendable {
        public var layout: ServiceLayout
        public var host: String
        public var port: Int
        /// Needed to bind anything but a loopback address.
        public var allowRemote: Bool
        public var settings: ServiceDaemon.Settings

        public init(layout: ServiceLayout, host: String, port: Int, allowRemote: Bool, settings: ServiceDaemon.Settings) {
            self.layout = layout
            self.host = host
            self.port = port
            self.allowRemote = allowRemote
            self.settings = settings
        }
    }

    /// What `endpoint.json` holds: how `vsweep run`, scripts and tests find the daemon.
    public struct Discovery: Codable, Sendable {
        public var url: String
        public var pid: Int32
        public var tokenFile: String
        /// Absolute path of the database the daemon runs sweeps in.
        public var database: String
    }

    public static func isLoopback(_ host: String) -> Bool {
        host == "127.0.0.1" || host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Runs until SIGTERM or SIGINT; then stops every sweep (their trials re-queued,
    /// resumed by the next start) and returns.
    public static func run(_ options: Options, log: @escaping @Sendable (String) -> Void) throws {
        if !isLoopback(options.host) {
            guard options.allowRemote else {
                throw ServiceError.setup("refusing to listen on \(options.host): only loopback addresses without "
                                         + "--allow-remote (anyone who can reach the port and steal the token controls the machine)")
            }
            log("warning: listening on \(options.host), reachable from other machines; the API is plain HTTP "
                + "(put it behind TLS), protected only by the token")
        }
        let layout = options.layout
        try layout.prepare()
        let token = try ServiceToken.loadOrCreate(path: layout.tokenPath)
        let daemon = try ServiceDaemon(layout: layout, settings: options.settings, log: log)
        let store = try SweepStore.open(path: layout.database)

        let router = Router()
        router.add(middleware: AccessPolicy(token: token, allowedHosts: AccessPolicy<BasicRequestContext>.hosts(bindHost: options.host)))
        APIRoutes(daemon: daemon, store: store, layout: layout).register(on: router)
        FigureRoutes(store: store, layout: layout).register(on: router)
        ImportanceRoute(store: store).register(on: router)
        Dashboard.register(on: router)

        var logger = Logger(label: "vsweep.serve")
        // Cancelling the server task at shutdown logs errors about closed channels: expected, not shown.
        logger.logLevel = .critical
        let discoveryPath = layout.discoveryPath
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "vsweep"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? options.port
                let host = options.host.contains(":") ? "[\(options.host)]" : options.host
                let discovery = Discovery(url: "http://\(host):\(port)", pid: getpid(), tokenFile: layout.tokenPath,
                                          database: URL(fileURLWithPath: layout.database).standardizedFileURL.path)
                if let data = try? JSONEncoder().encode(discovery) { try? AtomicFile.write(data, to: discoveryPath) }
                log("listening on http://\(host):\(port) (dashboard: http://\(host):\(port)/#token=<the token in \(layout.tokenPath)>)")
            },
            logger: logger)

        let stopped = DispatchSemaphore(value: 0)
        let server = Task {
            do { try await app.runService(gracefulShutdownSignals: []) } catch { log("http server: \(error)") }
            stopped.signal()
        }
        daemon.resume()
        waitForSignal()
        log("stopping: running trials are stopped and re-queued; the next start resumes them")
        daemon.shutdown()
        try? FileManager.default.removeItem(atPath: discoveryPath)
        server.cancel()
        _ = stopped.wait(timeout: .now() + 5)
    }

    /// Blocks until SIGTERM or SIGINT, watched through libuv like the sweeps' own
    /// watchers (libuv delivers a signal to every loop watching it).
    private static func waitForSignal() {
        guard let loop = try? Loop() else { return }
        var received = false
        let watchers = [SIGTERM, SIGINT].compactMap { signal in
            try? SignalWatcher(loop: loop, signal: signal) { _ in received = true; loop.stop() }
        }
        while !received { loop.run() }
        watchers.forEach { $0.stop() }
    }
}
