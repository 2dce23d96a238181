// swift-tools-version: 6.1
// libFuzzer targets (RELIABILITY.md): build and run them with scripts/fuzz, which passes
// `-sanitize=fuzzer` to every module so the fuzzers are guided by Core's own coverage.
import PackageDescription

let package = Package(
    name: "gwops-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "gwops", path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(name: "FuzzArchive", dependencies: ["FuzzDriver", .product(name: "Core", package: "gwops")]),
        .executableTarget(name: "FuzzPlatformJSON", dependencies: ["FuzzDriver", .product(name: "Core", package: "gwops")]),
        .executableTarget(name: "FuzzConfig", dependencies: ["FuzzDriver", .product(name: "Core", package: "gwops")]),
        .executableTarget(name: "FuzzYAMLMetadata", dependencies: ["FuzzDriver", .product(name: "Core", package: "gwops")]),
    ],
    swiftLanguageModes: [.v6]
)
