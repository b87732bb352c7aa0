// swift-tools-version: 6.2
import Foundation
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// The release executables are linked as one self-contained file: the Swift runtime and
// Foundation inside (`-static-stdlib`), and the C++ runtime they need too (`-lstdc++` found
// as the archive: `Linker/static/libstdc++.so` is a linker script naming `libstdc++.a`,
// found first on the search path), at a fixed address (`-no-pie`: no load-time relocation of
// the ~96,000 pointers Swift's metadata holds), exporting no symbols (`--no-export-dynamic`,
// which the static runtime's link arguments would turn on). Measured in docs/performance.md:
// idle memory and cold start. Debug builds (and `swift test`, whose test runner loads the
// dynamic runtime) are linked as SwiftPM does by default.
// Each is linked by lld, which lays the code and data its start touches out together in the
// order of `Linker/<name>.order` (symbols, written by scripts/startup-order.sh): the kernel
// maps 16 pages around every fault, so scattered start-up code leaves most of the binary
// resident. lld moves the whole input section a listed symbol is in, so functions in objects
// built without one section per function move with their neighbours. The file is looked for
// when the manifest is read.
func releaseExecutable(_ name: String) -> [LinkerSetting] {
    let linker = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Linker")
    let order = linker.appendingPathComponent("\(name).order").path
    let layout =
        FileManager.default.fileExists(atPath: order)
        ? ["-Xlinker", "--symbol-ordering-file=\(order)", "-Xlinker", "--no-warn-symbol-ordering"] : []
    return [
        .unsafeFlags(
            [
                "-use-ld=lld", "-static-stdlib", "-Xclang-linker", "-no-pie", "-Xlinker", "--no-export-dynamic",
                "-lCoreFoundation", "-l_FoundationICU", "-l_FoundationCShims", "-l_FoundationCollections",
                "-lswiftSynchronization", "-L", linker.appendingPathComponent("static").path, "-lstdc++",
            ] + layout,
            .when(platforms: [.linux], configuration: .release))
    ]
}

let package = Package(
    name: "StarMock",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "starmock", targets: ["starmock"]),
        .library(name: "StarMockServer", targets: ["StarMockServer"]),
        .library(name: "StarMockContract", targets: ["StarMockContract"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .target(name: "StarMockCore", swiftSettings: swiftSettings),
        // HAR 1.2: model, reader, writer; shared by the server (export, recording) and the
        // scenario code (import), above Core, which knows nothing of HTTP.
        .target(name: "StarMockHAR", dependencies: ["StarMockCore"], swiftSettings: swiftSettings),
        .target(
            name: "StarMockDialects", dependencies: ["StarMockCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings),
        .target(
            name: "StarMockScenario",
            dependencies: ["StarMockCore", "StarMockDialects", "StarMockHAR", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "StarMockTransport",
            dependencies: [
                "StarMockCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "StarMockServer",
            dependencies: [
                "StarMockCore", "StarMockDialects", "StarMockScenario", "StarMockTransport", "StarMockHAR",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "StarMockContract",
            dependencies: [
                "StarMockCore", "StarMockScenario", "StarMockServer", "StarMockDialects", "StarMockHAR",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "starmock",
            dependencies: [
                "StarMockServer", "StarMockScenario", "StarMockCore", "StarMockContract", "StarMockHAR",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: releaseExecutable("starmock")
        ),
        .executableTarget(
            name: "bare-nio-baseline",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings,
            // Linked as starmock is, so that the two are compared like for like.
            linkerSettings: releaseExecutable("bare-nio-baseline")
        ),
        .testTarget(
            name: "StarMockTransportTests",
            dependencies: [
                "StarMockTransport", "StarMockCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "StarMockCoreTests", dependencies: ["StarMockCore"], swiftSettings: swiftSettings),
        .testTarget(name: "StarMockHARTests", dependencies: ["StarMockHAR", "StarMockCore"], swiftSettings: swiftSettings),
        .testTarget(name: "StarMockDialectsTests", dependencies: ["StarMockDialects", "StarMockCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "StarMockServerTests",
            dependencies: [
                "StarMockServer", "StarMockCore", "StarMockDialects", "StarMockScenario", "StarMockHAR",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StarMockScenarioTests", dependencies: ["StarMockScenario", "StarMockCore", "StarMockDialects", "StarMockHAR"],
            resources: [.copy("Broken")], swiftSettings: swiftSettings),
        .testTarget(
            name: "StarMockContractTests",
            dependencies: ["StarMockContract", "StarMockServer", "StarMockScenario", "StarMockCore", "StarMockDialects"],
            swiftSettings: swiftSettings
        ),
    ]
)
