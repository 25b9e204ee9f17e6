import Foundation
import FuzzDriver
import Imaging
import NeuralEngine

/// One libFuzzer entry point for every parser of untrusted bytes; FUZZ_TARGET picks which:
/// - `image`: `ImageDecoder.header` then `decode` (PNG or JPEG by content, through CImageIO) under a small
///   pixel limit, as the watcher does with every inbox file; a decoded image must have the header's size.
/// - `safetensors`: the bytes as a model file, opened (header, offsets, dtypes, shapes checked) and every
///   tensor read, as start-up does with the backbone and heads.
/// A typed error is the expected outcome for bad input; a crash, a sanitizer report or a trap is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    switch Target.current {
    case .image: fuzzImage(bytes)
    case .safetensors: fuzzSafeTensors(bytes)
    }
    return 0
}

enum Target {
    case image, safetensors
    static let current: Target = ProcessInfo.processInfo.environment["FUZZ_TARGET"] == "safetensors" ? .safetensors : .image
}

func fuzzImage(_ bytes: [UInt8]) {
    let limits = ImageLimits(maxPixels: 4_000_000, maxBytes: 1 << 20)
    guard let header = try? ImageDecoder.header(of: bytes, file: "fuzz", limits: limits) else { return }
    guard let image = try? ImageDecoder.decode(bytes, file: "fuzz", limits: limits) else { return }
    // EXIF orientations 5-8 swap the sides.
    precondition(image.width * image.height == header.width * header.height, "decoded size differs from the header's")
    precondition(image.pixels.count == image.width * image.height * 3)
}

/// The model file goes through a real file, as at start-up (SafeTensorsFile maps it).
let scratchFile = FileManager.default.temporaryDirectory.appendingPathComponent("xraywatch-fuzz-\(getpid()).safetensors").path

func fuzzSafeTensors(_ bytes: [UInt8]) {
    guard FileManager.default.createFile(atPath: scratchFile, contents: Data(bytes)) else { return }
    guard let file = try? SafeTensorsFile(contentsOf: scratchFile) else { return }
    for name in file.names { _ = try? file.tensor(name) }
}
