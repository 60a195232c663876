import Foundation

/// Where the daemon keeps its files. Everything it writes lives under `storage/service/`
/// (token, discovery file, queue) or is what `vsweep run` writes (database, runs/);
/// names from specs never form a path here: queue files are named by number.
public struct ServiceLayout: Sendable {
    public var storage: String
    public var database: String
    public var runs: String
    /// The `vsweep` executable that runs `engine: builtin` trials (`vsweep train`): the
    /// daemon is `vsweep-service`, which has no `train`.
    public var vsweepExecutable: String

    public init(storage: String = "storage", database: String? = nil, runs: String = "runs",
                vsweepExecutable: String = ServiceLayout.siblingVSweep()) {
        self.storage = storage
        self.database = database ?? (storage as NSString).appendingPathComponent("vsweep.sqlite")
        self.runs = runs
        self.vsweepExecutable = vsweepExecutable
    }

    /// `vsweep` in the folder of the running executable.
    public static func siblingVSweep() -> String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("vsweep").path
    }

    public var serviceDirectory: String { (storage as NSString).appendingPathComponent("service") }
    public var tokenPath: String { serviceDirectory + "/token" }
    /// Written at start-up with the address and pid: how clients find a running service.
    public var discoveryPath: String { serviceDirectory + "/endpoint.json" }
    public var queuePath: String { serviceDirectory + "/queue.json" }

    /// Creates `storage/service/` readable by the user only.
    func prepare() throws {
        try FileManager.default.createDirectory(atPath: serviceDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: serviceDirectory)
    }
}
