// swift-tools-version:6.1
// The benchmark, a package of its own (as swift-nio and swift-log keep theirs) so that building or
// testing Palimpsest never builds it: `make benchmark` and `make benchmark-digest` build it here in
// release mode. It uses Palimpsest's public API only, through the parent package.
import PackageDescription

let package = Package(
    name: "palimpsest-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "palimpsest", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // Throughput, latency and memory figures of the real code paths (feed parsing, detection,
        // loopback end to end, the log at scale). Uses no package the daemon does not use.
        .executableTarget(
            name: "palimpsest-bench",
            dependencies: [
                .product(name: "PalimpsestCore", package: "palimpsest"),
                .product(name: "PalimpsestReplay", package: "palimpsest"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        )
    ]
)

for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
