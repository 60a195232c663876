// swift-tools-version:6.1
// vsweep: a hyperparameter and budget scheduler for value-based continued
// pretraining (V-pretraining), with a built-in CPU training engine.
import PackageDescription

// The math is always compiled optimised, debug builds included: the tests then
// check the code that ships, and SIMD code at -Onone is ~100x slower.
let mathSettings: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "vsweep",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vsweep", targets: ["vsweep"]),
        .executable(name: "vsweep-service", targets: ["vsweep-service"]),
        .executable(name: "noop-engine", targets: ["noop-engine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // System libraries (module maps only).
        .systemLibrary(name: "CLibUV", path: "Sources/CLibUV", pkgConfig: "libuv",
                       providers: [.apt(["libuv1-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),

        // The vocabulary scheduler and engines share: goal, budget, the parameter value, trial-config
        // keys, the assignment handed to an engine, the seeded generator, the hash.
        .target(name: "Vocabulary"),

        // Engine.
        .target(name: "Kernels", dependencies: ["COpenBLAS"], swiftSettings: mathSettings),
        .target(name: "Learner", dependencies: ["Kernels", "Vocabulary"], swiftSettings: mathSettings),
        .target(name: "Corpus", dependencies: ["Vocabulary"]),
        .target(name: "TrialProtocol"),
        .target(name: "ConfigFiles", dependencies: ["TrialProtocol", .product(name: "Yams", package: "Yams")]),
        .target(name: "Training", dependencies: ["Learner", "Kernels", "Corpus", "TrialProtocol", "ConfigFiles", "Vocabulary"]),

        // Scheduler.
        .target(name: "EventLoop", dependencies: ["CLibUV"]),
        // Where trials run: local child processes, Slurm batch jobs (on the libuv loop).
        .target(name: "Executors", dependencies: ["EventLoop"]),
        .target(name: "SweepStore", dependencies: ["Vocabulary", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "Search", dependencies: ["Vocabulary"]),
        .target(name: "EarlyStopping", dependencies: ["Vocabulary"]),
        .target(name: "Scheduler", dependencies: [
            "CMalloc",
            "EventLoop", "Executors", "SweepStore", "Search", "EarlyStopping", "TrialProtocol", "ConfigFiles", "Vocabulary",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Analysis", dependencies: ["SweepStore", "Vocabulary"]),
        // The daemon behind `vsweep serve`: HTTP API (Hummingbird) in front of the scheduler.
        .target(name: "Service", dependencies: [
            "Scheduler", "SweepStore", "Analysis", "EventLoop", "ConfigFiles", "TrialProtocol", "Vocabulary",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Executables.
        .executableTarget(name: "vsweep", dependencies: [
            "Learner", "Kernels", "Training", "Corpus", "TrialProtocol", "ConfigFiles", "Scheduler", "SweepStore", "Analysis",
            "Vocabulary",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // `vsweep serve` runs this sibling executable: the service's HTTP stack (Hummingbird,
        // SwiftNIO) is built only when asked for, so the CLI and the quickstart build stay fast.
        .executableTarget(name: "vsweep-service", dependencies: [
            "Service", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "noop-engine", dependencies: ["TrialProtocol", "Vocabulary"]),
        .executableTarget(name: "bench-engine", dependencies: ["Learner", "Kernels", "COpenBLAS", "Training", "Corpus", "ConfigFiles", "Vocabulary"]),
        // The built-in engine's numbers for one V-pretraining step, for the PyTorch engine's cross-check.
        .executableTarget(name: "engine-probe", dependencies: ["Learner", "Kernels", "Training", "Vocabulary"]),
        .executableTarget(name: "bench-decode", dependencies: ["Learner", "Kernels", "Vocabulary"]),
        .executableTarget(name: "bench-scheduler", dependencies: ["Scheduler", "SweepStore", "EventLoop", "Executors", "Vocabulary"]),
        .executableTarget(name: "bench-search", dependencies: ["Search", "Vocabulary"]),

        // Tests: one test target per library target.
        .testTarget(name: "VocabularyTests", dependencies: ["Vocabulary"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels"]),
        .testTarget(name: "LearnerTests", dependencies: ["Learner", "Kernels", "Vocabulary"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus", "Vocabulary"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TrialProtocolTests", dependencies: ["TrialProtocol"]),
        .testTarget(name: "ConfigFilesTests", dependencies: ["ConfigFiles"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Learner", "Kernels", "Corpus", "TrialProtocol", "ConfigFiles", "Vocabulary"]),
        .testTarget(name: "EventLoopTests", dependencies: ["EventLoop", "Executors"]),
        .testTarget(name: "SweepStoreTests", dependencies: ["SweepStore", "Vocabulary"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "SearchTests", dependencies: ["Search", "Vocabulary"]),
        .testTarget(name: "EarlyStoppingTests", dependencies: ["EarlyStopping", "Vocabulary"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "SchedulerTests", dependencies: ["Scheduler", "SweepStore", "EventLoop", "Executors", "Search", "EarlyStopping", "TrialProtocol", "Vocabulary"],
                    resources: [.copy("Fixtures")]),
        // The vsweep executable end to end: a real short sweep and comparison on a tiny
        // model, then every query command against the database they produced.
        .testTarget(name: "CLITests", dependencies: ["Corpus", "Learner", "SweepStore", "TrialProtocol", "Vocabulary",
                                                    .product(name: "GRDB", package: "GRDB.swift")]),
        // The daemon over real loopback HTTP: started by the test as a child process.
        .testTarget(name: "ServiceTests", dependencies: ["Service", "SweepStore", "Vocabulary"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "SweepStore", "Vocabulary"],
                    resources: [.copy("Fixtures")]),
    ]
)
