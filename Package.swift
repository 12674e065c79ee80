// swift-tools-version:6.0
import PackageDescription

/// The libFuzzer binary links only with `--sanitize=fuzzer` (libFuzzer brings `main`), so it is part of
/// the package only when `make fuzz` asks for it.
let fuzzing = Context.environment["SWITCHYARD_FUZZ"] != nil

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
        .target(name: "Core", dependencies: ["COpenSSL", "CLinux"]),
        .target(name: "HTTPKit", dependencies: ["Core"]),
        .target(name: "HTTPServer", dependencies: ["HTTPKit", "CLinux"]),
        .target(name: "UpstreamClient", dependencies: ["HTTPKit", "CCurl", "CLinux"]),
        .target(name: "Store", dependencies: ["Core", "CSQLite"]),
        .target(name: "Providers", dependencies: ["Core", "HTTPKit"]),
        .target(name: "Telemetry", dependencies: ["Core", "Store"]),
        .target(name: "Routing", dependencies: ["Core"]),
        .target(name: "DataPlane", dependencies: ["Providers", "UpstreamClient", "Telemetry", "HTTPServer", "Routing"]),
        .target(name: "ControlPlane", dependencies: ["Store", "Core", "Telemetry", "HTTPServer", "UpstreamClient"]),
        .executableTarget(name: "switchyard", dependencies: ["DataPlane", "ControlPlane"]),
        .executableTarget(name: "mock-llm", dependencies: ["HTTPServer", "Providers"]),
        .target(name: "FuzzTargets", dependencies: ["HTTPKit", "Providers", "ControlPlane"]),
        .testTarget(name: "CoreTests", dependencies: ["Core"]),
        .testTarget(name: "HTTPKitTests", dependencies: ["HTTPKit"]),
        .testTarget(name: "StoreTests", dependencies: ["Store"]),
        .testTarget(name: "ControlPlaneTests", dependencies: ["ControlPlane"]),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry", "Store"]),
        .testTarget(name: "UpstreamClientTests", dependencies: ["UpstreamClient"]),
        .testTarget(name: "ProvidersTests", dependencies: ["Providers"]),
        .testTarget(name: "RoutingTests", dependencies: ["Routing", "Core"]),
        .testTarget(name: "DataPlaneTests", dependencies: ["DataPlane", "Core"]),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzTargets"]),
    ] + (fuzzing ? [.executableTarget(name: "fuzz-switchyard", dependencies: ["FuzzTargets"])] : []),
    swiftLanguageModes: [.v6]
)
