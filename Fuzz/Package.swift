// swift-tools-version: 6.1
// libFuzzer targets over xraywatch's parsers of untrusted bytes: image files (ImageDecoder and the CImageIO
// shim over libjpeg/libpng) and safetensors model files (SafeTensorsFile). Not part of the main build or CI:
// `benchmarks/fuzz.sh` builds this package with -sanitize=fuzzer,address and runs each target for a bounded time.
import PackageDescription

let package = Package(
    name: "xraywatch-fuzz",
    dependencies: [.package(name: "xraywatch", path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(
            name: "FuzzDecoders",
            dependencies: [
                "FuzzDriver",
                .product(name: "Imaging", package: "xraywatch"),
                .product(name: "NeuralEngine", package: "xraywatch"),
            ],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
