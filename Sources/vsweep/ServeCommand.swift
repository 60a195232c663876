import ArgumentParser
import Foundation

/// `vsweep serve …` runs `vsweep-service …` from the same build folder. The service
/// lives in its own executable so that the CLI does not link the HTTP stack (Hummingbird
/// and SwiftNIO take minutes to build on 2 cores; the quickstart builds only `vsweep`).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the scheduler service (a queue of sweeps sharing the slots, HTTP/JSON API, dashboard).",
        discussion: "Runs vsweep-service from the same folder (build it: swift build -c release --product "
            + "vsweep-service); `vsweep serve --help` lists its options. docs/user-guide.md §9.")

    @Argument(parsing: .captureForPassthrough, help: "Options of vsweep-service (--port, --slots, --storage, …).")
    var arguments: [String] = []

    func run() throws {
        let here = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let service = here.appendingPathComponent("vsweep-service").path
        guard FileManager.default.isExecutableFile(atPath: service) else {
            FileHandle.standardError.write(Data("""
                error: no vsweep-service next to this vsweep (\(service)); build it with
                  swift build -c release --product vsweep-service   (or without -c release for a debug build)

                """.utf8))
            throw ExitCode(2)
        }
        let argv = [service] + arguments
        var cArgs = argv.map { strdup($0) } + [nil]
        execv(service, &cArgs)
        FileHandle.standardError.write(Data("error: cannot run \(service): \(String(cString: strerror(errno)))\n".utf8))
        throw ExitCode(1)
    }
}
