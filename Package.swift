// swift-tools-version:6.1
import PackageDescription

/// `swiftc -static-stdlib` for the gwops executable alone, in every configuration, so the binary
/// a test installs is linked as the one shipped. The modules were compiled against the shared
/// runtime, whose Foundation names none of the archives it is built from: they are listed, as one
/// group so their order does not matter.
let staticSwiftRuntime = ["-static-stdlib"] + [
    "--start-group", "-lFoundation", "-lFoundationInternationalization", "-lFoundationEssentials",
    "-l_FoundationCollections", "-l_FoundationCShims", "-l_FoundationICU", "-lCoreFoundation",
    "-lswiftDispatch", "-ldispatch", "-lBlocksRuntime", "-lswiftSynchronization", "-lstdc++", "-lm", "--end-group",
    // Debian's hardening: relocations resolved at start and then read-only (full RELRO).
    "-z", "relro", "-z", "now",
].flatMap { ["-Xlinker", $0] }

let package = Package(
    name: "gwops",
    platforms: [.macOS(.v15)],
    products: [
        // The product: what a gateway host runs.
        .executable(name: "gwops", targets: ["gwops"]),
        // The demo and the simulated platform; never part of `gwops`.
        .executable(name: "gwops-demo", targets: ["gwops-demo"]),
        .executable(name: "gwops-bench", targets: ["gwops-bench"]),
        .executable(name: "gwops-campaign", targets: ["gwops-campaign"]),
        // For the libFuzzer package in Fuzz/.
        .library(name: "Core", targets: ["Core"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", exact: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", exact: "1.6.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", exact: "1.35.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio", exact: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
    ],
    targets: [
        // The engine: domain, store, event hub, sync, platform client and live path, the gateway
        // service. No terminal, CLI or server code.
        .target(
            name: "Core",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite C API itself, for what GRDB does not wrap (SQLITE_FCNTL_PERSIST_WAL).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The control socket: its server (in the controller) and its client (console, CLI).
        .target(
            name: "ControlSocket",
            dependencies: [
                "Core",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The controller as one type of ServiceLifecycle services, and its metrics.
        .target(
            name: "Controller",
            dependencies: [
                "Core", "ControlSocket",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .systemLibrary(name: "CNCurses", path: "Sources/CNCurses"),
        // The terminal UI: views, rendering, terminal, input, themes. The only importer of CNCurses.
        .target(
            name: "Console",
            dependencies: ["Core", "CNCurses", .product(name: "Logging", package: "swift-log")]
        ),
        // The command line: commands, entry, runtime.
        .target(
            name: "CLI",
            dependencies: [
                "Core", "ControlSocket", "Controller", "Console", "BuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The release and the commit a binary was built from (`gwops --version`).
        .target(name: "BuildInfo", plugins: ["BuildCommit"]),
        .plugin(name: "BuildCommit", capability: .buildTool()),
        // The shipped binary links the Swift runtime and Foundation statically: a gateway host has
        // Debian's libraries and no Swift toolchain (`ldd` names only Debian's; DESIGN §12).
        .executableTarget(name: "gwops", dependencies: ["CLI"], linkerSettings: [.unsafeFlags(staticSwiftRuntime)]),
        // The simulated platform (the real platform's wire format), for the demo, tests and benchmarks.
        .target(
            name: "PlatformSim",
            dependencies: [
                "Core",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        .executableTarget(
            name: "gwops-demo",
            dependencies: [
                "CLI", "Console", "Controller", "ControlSocket", "Core", "PlatformSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Demo"),
        // Test doubles of the console (an in-memory terminal, a fixed theme), beside it as
        // NIOEmbedded sits beside NIO: for tests and the console benchmark.
        .target(name: "ConsoleTesting", dependencies: ["Console"]),
        .executableTarget(
            name: "gwops-campaign",
            dependencies: [
                "CLI", "Controller", "Core", "PlatformSim", "TestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Campaign"),
        .executableTarget(
            name: "gwops-bench",
            dependencies: [
                "Core", "ControlSocket", "PlatformSim", "Console", "ConsoleTesting", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Bench"
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "Core", "PlatformSim", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "CoreTests",
            dependencies: [
                "Core", "PlatformSim", "TestSupport", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"), .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            resources: [.copy("Fixtures/Wire")]),
        .testTarget(
            name: "ConsoleTests", dependencies: ["Console", "ConsoleTesting", "ControlSocket", "Core", "PlatformSim", "TestSupport"],
            exclude: ["Views/__Snapshots__"]),
        .testTarget(
            name: "ControlSocketTests",
            dependencies: [
                "ControlSocket", "Core", "PlatformSim", "TestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        .testTarget(
            name: "ControllerTests",
            dependencies: [
                "Controller", "ControlSocket", "Core", "PlatformSim", "TestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(
            name: "CLITests",
            dependencies: ["CLI", "Core", "TestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "PlatformSimTests", dependencies: ["Core", "PlatformSim", "TestSupport", .product(name: "AsyncHTTPClient", package: "async-http-client")]),
    ],
    swiftLanguageModes: [.v6]
)
