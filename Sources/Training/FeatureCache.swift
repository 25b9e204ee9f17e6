import Crypto
import Foundation
import Imaging
import NeuralEngine
import Screening

/// Everything backbone features depend on: the image bytes, the augmentation draw, the backbone
/// weights and the preprocessing. Equal keys mean equal features.
public struct FeatureKey: Sendable, Hashable {
    public var imageSHA256: String
    public var draw: Int
    /// `AugmentationSettings.cacheDescription(draw:)`.
    public var augmentation: String
    public var backboneSHA256: String
    public var preprocessing: Preprocessing
    /// Where the backbone stopped.
    public var output: VGG16Backbone.Output
    /// The lung segmenter's weights, for lung-field preprocessing (the masks depend on them).
    public var segmenterSHA256: String?

    public init(imageSHA256: String, draw: Int, augmentation: String, backboneSHA256: String, preprocessing: Preprocessing,
                output: VGG16Backbone.Output = .block5Pool, segmenterSHA256: String? = nil) {
        self.imageSHA256 = imageSHA256; self.draw = draw; self.augmentation = augmentation
        self.backboneSHA256 = backboneSHA256; self.preprocessing = preprocessing; self.output = output
        self.segmenterSHA256 = segmenterSHA256
    }

    /// The canonical text stored in, and compared against, each cache file.
    public var text: String {
        "image=\(imageSHA256)|draw=\(draw)|augmentation=\(augmentation)|backbone=\(backboneSHA256)"
            + "|preprocessing=\(preprocessing.identifier)"
            + (output == .block5Pool ? "" : "|output=\(output.rawValue)")
            + (segmenterSHA256.map { "|segmenter=\($0)" } ?? "")
    }

    /// File name of the entry: SHA-256 of the key text.
    public var fileName: String { FileDigest.sha256(of: Array(text.utf8)) + ".features" }
}

/// A folder of backbone feature maps, one file per `FeatureKey`.
///
/// File layout (little-endian): magic `XRWFEAT\0`, UInt32 version, UInt32 key length, key text,
/// UInt32 rank, UInt32 per dimension, float32 values, then the SHA-256 of everything before it.
/// A read verifies all of it; anything wrong (truncated, corrupt, another key, another version) is a
/// miss, and the caller recomputes and rewrites the entry. Writes are atomic (temporary file + rename).
public struct FeatureCache: Sendable {
    public let directory: URL
    static let magic: [UInt8] = Array("XRWFEAT".utf8) + [0]
    static let version: UInt32 = 1

    /// Outcome of a lookup.
    public enum Lookup: Sendable {
        case hit(Tensor)
        case missing
        /// The entry exists but cannot be used; `reason` says why (it will be recomputed).
        case invalid(String)
    }

    public init(directory: URL) { self.directory = directory }

    public func url(for key: FeatureKey) -> URL { directory.appendingPathComponent(key.fileName) }

    public func read(_ key: FeatureKey) -> Lookup {
        guard let data = FileManager.default.contents(atPath: url(for: key).path) else { return .missing }
        return Self.decode([UInt8](data), key: key)
    }

    /// Stores `features` under `key`, replacing any entry atomically.
    public func write(_ features: Tensor, for key: FeatureKey) throws(DatasetError) {
        let bytes = Self.encode(features, key: key)
        let target = url(for: key)
        let temporary = directory.appendingPathComponent(".\(key.fileName).\(UUID().uuidString.prefix(8)).tmp")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(bytes).write(to: temporary)
            if rename(temporary.path, target.path) != 0 {
                let message = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                throw DatasetError(file: target.path, reason: "cannot store a feature cache entry (\(message))")
            }
        } catch let error as DatasetError {
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw DatasetError(file: target.path, reason: "cannot store a feature cache entry (\(error.localizedDescription))")
        }
    }

    static func encode(_ features: Tensor, key: FeatureKey) -> [UInt8] {
        var bytes = magic
        let keyBytes = Array(key.text.utf8)
        append(version, to: &bytes)
        append(UInt32(keyBytes.count), to: &bytes)
        bytes += keyBytes
        append(UInt32(features.shape.count), to: &bytes)
        for dimension in features.shape { append(UInt32(dimension), to: &bytes) }
        bytes.reserveCapacity(bytes.count + features.values.count * 4 + 32)
        for value in features.values { append(value.bitPattern, to: &bytes) }
        bytes += Array(SHA256.hash(data: bytes))
        return bytes
    }

    static func decode(_ bytes: [UInt8], key: FeatureKey) -> Lookup {
        guard bytes.count >= magic.count + 12 + 32 else { return .invalid("truncated") }
        let body = bytes[0..<(bytes.count - 32)]
        guard Array(SHA256.hash(data: body)) == Array(bytes[(bytes.count - 32)...]) else { return .invalid("checksum mismatch") }
        guard Array(bytes[0..<magic.count]) == magic else { return .invalid("not a feature cache file") }
        var offset = magic.count
        func next() -> UInt32? {
            guard offset + 4 <= body.count else { return nil }
            defer { offset += 4 }
            return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
        }
        guard next() == version else { return .invalid("another cache version") }
        guard let keyLength = next().map(Int.init), offset + keyLength <= body.count else { return .invalid("truncated key") }
        guard String(decoding: bytes[offset..<(offset + keyLength)], as: UTF8.self) == key.text else { return .invalid("stale: stored for another key") }
        offset += keyLength
        guard let rank = next(), rank <= 8 else { return .invalid("bad shape") }
        var shape: [Int] = []
        for _ in 0..<rank {
            guard let dimension = next() else { return .invalid("truncated shape") }
            shape.append(Int(dimension))
        }
        let count = shape.reduce(1, *)
        guard body.count - offset == count * 4 else { return .invalid("size does not match shape \(shape)") }
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let p = offset + 4 * i
            values[i] = Float(bitPattern: UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24)
        }
        return .hit(Tensor(shape: shape, values: values))
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
    }
}
