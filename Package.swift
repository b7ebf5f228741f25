// swift-tools-version: 6.1
import PackageDescription

// The request path's modules skip the run-time exclusivity check: it cost about 3,000
// instructions per request (37 checks) in a callgrind profile, more than the metric
// recording it guards. The compile-time checks still apply (docs/performance.md).
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"])]

// One target per layer; dependencies point from the CLI down to the plan model.
// docs/architecture.md explains the layers and why each package is here.
let package = Package(
    name: "Stampede",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "stampede", targets: ["StampedeCLI"]),
        .library(name: "StampedeDSL", targets: ["StampedeDSL"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // Without its default ExternalLoading trait: specs are read from one file, and the
        // trait's async loader only lengthens the build (docs/architecture.md).
        .package(url: "https://github.com/mattpolzin/OpenAPIKit", from: "6.4.0", traits: []),
    ],
    targets: [
        // libcurl from the system (Debian: libcurl4-openssl-dev), with typed wrappers for its variadic calls.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev", "libnghttp2-dev", "libssl-dev"])]
        ),
        // zlib from the system (Debian: zlib1g-dev), for HdrHistogram's compressed encoding.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // The plan model, the result-builder DSL and the plan-file reader that build it, and
        // feeders' data: no engine.
        .target(
            name: "StampedeDSL",
            dependencies: [.product(name: "SwiftCSV", package: "SwiftCSV"), .product(name: "Yams", package: "Yams")]
        ),
        // Per-worker metric sinks on HDR histograms; merged off the hot path.
        .target(
            name: "StampedeMetrics",
            dependencies: [.product(name: "Histogram", package: "hdrhistogram-swift"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            swiftSettings: hotPath
        ),
        // Worker threads, VUs, executors and the libcurl HTTP layer.
        .target(
            name: "StampedeEngine",
            dependencies: [
                "CCurl", "StampedeDSL", "StampedeMetrics",
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: hotPath
        ),
        // End-of-test summary and results files, from merged metrics only.
        .target(name: "StampedeReports", dependencies: ["CZlib", "StampedeDSL", "StampedeMetrics"]),
        // The running test's metrics at /metrics in Prometheus' text format, fed once a second.
        .target(
            name: "StampedePrometheus",
            dependencies: [
                "StampedeMetrics",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The system under test's Prometheus endpoints, read beside the load (--scrape).
        .target(
            name: "StampedeScrape",
            dependencies: ["StampedeDSL", "StampedeEngine", .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]
        ),
        // The live dashboard: a page and its server-sent events, fed once a second, on SwiftNIO.
        .target(
            name: "StampedeDashboard",
            dependencies: [
                "StampedeDSL", "StampedeMetrics", "StampedeReports",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The embedded business-support API on SwiftNIO.
        .target(
            name: "StampedeTarget",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Coordinator and workers of a distributed run: the gRPC protocol (proto/), test
        // shipping, segments per worker, merging their metrics. Drives the same LoadRun.
        .target(
            name: "StampedeDistributed",
            dependencies: [
                "StampedeDSL", "StampedeEngine", "StampedeMetrics", "StampedeReports",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // Users' own Swift test files: compiled against the DSL's module files, cached by
        // content, loaded into the stampede process (docs/scenarios.md).
        .target(
            name: "StampedeSwiftFiles",
            dependencies: ["StampedeDSL", .product(name: "Crypto", package: "swift-crypto"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]
        ),
        // `stampede convert`: HAR recordings and OpenAPI documents turned into plan-file text
        // that PlanFile reads back (docs/convert.md). Knows no engine.
        .target(
            name: "StampedeConvert",
            dependencies: [
                "StampedeDSL",
                .product(name: "OpenAPIKit", package: "OpenAPIKit"),
                .product(name: "OpenAPIKit30", package: "OpenAPIKit"),
                .product(name: "OpenAPIKitCompat", package: "OpenAPIKit"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The seed scenarios, written in the DSL and compiled into the binary.
        .target(name: "Scenarios", dependencies: ["StampedeDSL"], path: "scenarios"),
        .executableTarget(
            name: "StampedeCLI",
            dependencies: [
                "StampedeDSL", "StampedeEngine", "StampedeMetrics", "StampedeReports",
                "StampedeTarget", "StampedePrometheus", "StampedeDashboard", "StampedeDistributed", "StampedeSwiftFiles", "StampedeScrape",
                "StampedeConvert", "Scenarios",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            // A user's compiled test binds to this executable's DSL rather than a copy of its own.
            linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"])]
        ),
        // Fuzz targets for every parser of outside input (docs/reliability.md), and libFuzzer's
        // entry point to them, built for fuzzing by scripts/fuzz.
        .target(
            name: "StampedeFuzzTargets",
            dependencies: [
                "StampedeDSL", "StampedeEngine", "StampedeMetrics", "StampedeReports", "StampedeDistributed", "StampedeScrape", "StampedeConvert",
            ],
            path: "Fuzz/Targets"
        ),
        .executableTarget(name: "StampedeFuzz", dependencies: ["StampedeFuzzTargets"], path: "Fuzz/Entry"),
        .testTarget(
            name: "StampedeTests",
            dependencies: [
                "StampedeDSL", "StampedeEngine", "StampedeMetrics", "StampedeReports",
                "StampedeTarget", "StampedePrometheus", "StampedeDashboard", "StampedeDistributed", "StampedeScrape", "StampedeConvert", "Scenarios",
                "StampedeCLI", "CZlib", "StampedeFuzzTargets",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            path: "Tests"
        ),
    ]
)
