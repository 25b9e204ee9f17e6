// swift-tools-version: 6.1
import PackageDescription

// One target per responsibility; the dependency arrows point downwards:
//   xraywatch (executable) -> Watcher, Training -> Screening -> NeuralEngine, Imaging -> C shims
//   (Watcher and Training also share CSVFormat, which depends on nothing)
// Pixel and tensor loops are 10-50x slower unoptimised; keep them fast in debug builds and tests too.
let optimisedEvenInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

// Linux only: the watcher uses inotify and Glibc directly, and the shims link Debian's libraries. (No platforms
// entry: SwiftPM cannot declare "Linux only", and a macOS floor would only suggest a build that cannot work.)
let package = Package(
    name: "xraywatch",
    products: [
        .executable(name: "xraywatch", targets: ["xraywatch"]),
        // For the fuzz targets in Fuzz/ (a separate package built with libFuzzer).
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "NeuralEngine", targets: ["NeuralEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C shims: all setjmp/longjmp error handling of libjpeg and libpng stays in here.
        .target(
            name: "CImageIO",
            linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png")]
        ),
        // C++ shim over DCMTK (Debian libdcmtk-dev): DICOM decoding, with every DCMTK status and exception kept inside.
        // Linked by name: Debian's dcmtk.pc requires sndfile.pc, which is not installed with it.
        .target(
            name: "CDicom",
            linkerSettings: ["dcmimgle", "dcmjpeg", "dcmjpls", "dcmdata", "oflog", "ofstd", "ijg8", "ijg12", "ijg16", "dcmtkcharls"]
                .map { .linkedLibrary($0) }
        ),
        // C++ shim over oneDNN (Debian libdnnl-dev): the backbone's convolutions in int8 on VNNI instructions.
        .target(name: "COneDNN", linkerSettings: [.linkedLibrary("dnnl"), .linkedLibrary("gomp")]),
        // OpenBLAS, found through pkg-config.
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // RFC 4180 CSV: the ledger, and the manifests `train` and `evaluate` read.
        .target(name: "CSVFormat"),
        // Decoding, encoding and preprocessing radiographs.
        .target(name: "Imaging", dependencies: ["CImageIO", "CDicom"], swiftSettings: optimisedEvenInDebug),
        // Tensors, safetensors files, the VGG16 backbone (fp32 on OpenBLAS, int8 on oneDNN) and head layers on OpenBLAS.
        .target(name: "NeuralEngine", dependencies: ["COpenBLAS", "COneDNN"], swiftSettings: optimisedEvenInDebug),
        // Model manifests, loading, the two-model decision.
        .target(
            name: "Screening",
            dependencies: [
                "Imaging", "NeuralEngine",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Datasets, feature cache, head training, evaluation and reports.
        .target(
            name: "Training",
            dependencies: [
                "Imaging", "NeuralEngine", "Screening", "CSVFormat",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: optimisedEvenInDebug
        ),
        // Inbox watching, the claim/classify/outbox/ledger pipeline, configuration.
        .target(
            name: "Watcher",
            dependencies: [
                "Imaging", "Screening", "CSVFormat",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The HTTP service: the upload page, the result pages, the JSON API and health checks, over the watcher.
        .target(
            name: "HTTPService",
            dependencies: [
                "Watcher", "Screening", "Imaging", "CSVFormat",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The command line: parses arguments and wires the targets together.
        .executableTarget(
            name: "xraywatch",
            dependencies: [
                "Imaging", "NeuralEngine", "Screening", "Training", "Watcher", "HTTPService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Paths to the repository, ../shared and temporary folders, for all test targets.
        .target(name: "TestSupport", dependencies: ["CDicom"], path: "Tests/TestSupport"),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "NeuralEngine", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "NeuralEngineTests", dependencies: ["NeuralEngine", "Imaging", "TestSupport"]),
        .testTarget(name: "ScreeningTests", dependencies: ["Screening", "Imaging", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Screening", "Imaging", "CSVFormat", "TestSupport"]),
        .testTarget(name: "WatcherTests", dependencies: ["Watcher", "Screening", "CSVFormat", "TestSupport"]),
        // Runs the built `xraywatch` binary end to end.
        .testTarget(name: "HTTPServiceTests", dependencies: ["HTTPService", "Watcher", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["xraywatch", "TestSupport", "Imaging", "Watcher", "CSVFormat"]),
    ]
)
