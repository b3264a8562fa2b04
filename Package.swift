// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "palimpsest",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "palimpsest", targets: ["palimpsest"]),
        .library(name: "PalimpsestCore", targets: ["PalimpsestCore"]),
        // The loopback replay server: the benchmark package (`Benchmarks/`) uses it.
        .library(name: "PalimpsestReplay", targets: ["PalimpsestReplay"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        // The optional Prometheus endpoint (`[daemon] metrics_listen`).
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.20.0"),
        // The state store: SQLite (the system's libsqlite3) in WAL mode.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // Tests only: starts `palimpsest run` as a child that signals can stop (Foundation.Process
        // children inherit a blocked SIGTERM on Linux).
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // libxml2's HTML parser, for HTML platforms (Telegram channel previews, watched pages).
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // zlib: the gzip members of the WARC evidence files, and deletion logs that logrotate
        // compressed (`deletions.jsonl.2.gz`).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // libcrypto's RFC 3161 time-stamp API (TS_*), wrapped in C so that no OpenSSL header
        // reaches Swift: timestamp requests for the log's checkpoints and the check of the
        // authorities' answers. Needs Debian's libssl-dev (`make deps` installs it).
        .target(
            name: "CTimestamp",
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        .target(
            name: "PalimpsestCore",
            dependencies: [
                "CCurl",
                "CTimestamp",
                "CLibXML2",
                "CZlib",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Collections", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "FlyingFox", package: "FlyingFox"),
            ]
        ),
        // A scripted loopback HTTP server that replays recorded responses: used by the
        // integration tests and by `palimpsest demo`.
        .target(
            name: "PalimpsestReplay",
            dependencies: ["PalimpsestCore"]
        ),
        // The command line (every subcommand): run by `palimpsest` and by the test-only
        // `palimpsest-fault-harness`.
        .target(
            name: "PalimpsestCommands",
            dependencies: [
                "PalimpsestCore",
                "PalimpsestReplay",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "palimpsest",
            dependencies: [
                "PalimpsestCommands",
                "PalimpsestCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Crash-safety tests only, never installed: `palimpsest` with one fault point armed
        // (`palimpsest-fault-harness kill-before-log-append poll …`), so that a test can kill a
        // real process at a chosen point of the write path. The `palimpsest` binary reads no
        // fault setting.
        .executableTarget(
            name: "palimpsest-fault-harness",
            dependencies: [
                "PalimpsestCommands",
                "PalimpsestCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Tests only (not a product): the helpers the test suites share: fixtures, temporary
        // folders, `eventually`, a manual clock, awaited cleanup, the loopback integration harness,
        // child processes (started with swift-subprocess) and the loopback SMTP server.
        .target(
            name: "PalimpsestTestSupport",
            dependencies: [
                "PalimpsestCore",
                "PalimpsestReplay",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            path: "Tests/PalimpsestTestSupport"
        ),
        .testTarget(
            name: "PalimpsestCoreTests",
            dependencies: [
                "PalimpsestCore",
                "PalimpsestReplay",
                "PalimpsestTestSupport",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            exclude: []
        ),
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
