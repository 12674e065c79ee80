// swift-tools-version:6.0
import PackageDescription

/// The libFuzzer binary links only with `--sanitize=fuzzer` (libFuzzer brings `main`), so it is part of
/// the package only when `make fuzz` asks for it.
let fuzzing = Context.environment["SWITCHYARD_FUZZ"] != nil

/// Release builds leave out the run-time exclusivity checks (a tenth of the event loops' and the request-log
/// writer's instructions went to `swift_beginAccess`); debug builds, which every test runs, keep them.
let release: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

/// Switchyard: one binary, an LLM gateway. No package dependencies: the toolchain
/// plus the system's libsqlite3, OpenSSL and libcurl through our own module maps.
let package = Package(
    name: "Switchyard",
    products: [
        .executable(name: "switchyard", targets: ["switchyard"]),
        .executable(name: "mock-llm", targets: ["mock-llm"]),
    ],
    targets: [
        .target(name: "CLinux", cSettings: [.define("_GNU_SOURCE")]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(name: "Core", dependencies: ["COpenSSL", "CLinux"], swiftSettings: release),
        .target(name: "HTTPKit", dependencies: ["Core"], swiftSettings: release),
        .target(name: "HTTPServer", dependencies: ["HTTPKit", "CLinux"], swiftSettings: release),
        .target(name: "UpstreamClient", dependencies: ["HTTPKit", "CCurl", "CLinux"], swiftSettings: release),
        .target(name: "Store", dependencies: ["Core", "CSQLite"], swiftSettings: release),
        .target(name: "Providers", dependencies: ["Core", "HTTPKit"], swiftSettings: release),
        .target(name: "Telemetry", dependencies: ["Core", "Store"], swiftSettings: release),
        .target(name: "Routing", dependencies: ["Core"], swiftSettings: release),
        .target(name: "DataPlane", dependencies: ["Providers", "UpstreamClient", "Telemetry", "HTTPServer", "Routing"], swiftSettings: release),
        .target(name: "ControlPlane", dependencies: ["Store", "Core", "Telemetry", "HTTPServer", "UpstreamClient"], swiftSettings: release),
        .executableTarget(name: "switchyard", dependencies: ["DataPlane", "ControlPlane"], swiftSettings: release),
        .executableTarget(name: "mock-llm", dependencies: ["HTTPServer", "Providers"], swiftSettings: release),
        .target(name: "FuzzTargets", dependencies: ["HTTPKit", "Providers", "ControlPlane"]),
        .testTarget(name: "CoreTests", dependencies: ["Core"]),
        .testTarget(name: "HTTPKitTests", dependencies: ["HTTPKit"]),
        .testTarget(name: "StoreTests", dependencies: ["Store"]),
        .testTarget(name: "ControlPlaneTests", dependencies: ["ControlPlane"]),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry", "Store"]),
        .testTarget(name: "UpstreamClientTests", dependencies: ["UpstreamClient", "HTTPServer"]),
        .testTarget(name: "ProvidersTests", dependencies: ["Providers"]),
        .testTarget(name: "RoutingTests", dependencies: ["Routing", "Core"]),
        .testTarget(name: "DataPlaneTests", dependencies: ["DataPlane", "Core"]),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzTargets"]),
    ] + (fuzzing ? [.executableTarget(name: "fuzz-switchyard", dependencies: ["FuzzTargets"])] : []),
    swiftLanguageModes: [.v6]
)
