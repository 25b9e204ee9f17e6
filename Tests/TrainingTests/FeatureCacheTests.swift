import Foundation
import Imaging
import NeuralEngine
import Testing
import TestSupport
@testable import Training

@Suite struct FeatureCacheTests {
    let key = FeatureKey(imageSHA256: String(repeating: "ab", count: 32), draw: 0, augmentation: "original",
                         backboneSHA256: String(repeating: "cd", count: 32), preprocessing: Preprocessing())
    let features = Tensor(shape: [2, 2, 3], values: (0..<12).map { Float($0) * 0.5 - 1 })

    private func withCache(_ body: (FeatureCache) throws -> Void) throws {
        let folder = try Fixtures.makeTemporaryDirectory("feature-cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(FeatureCache(directory: folder.appendingPathComponent("cache")))
    }

    @Test func missThenHitAfterWrite() throws {
        try withCache { cache in
            guard case .missing = cache.read(key) else { Issue.record("expected a miss"); return }
            try cache.write(features, for: key)
            guard case .hit(let read) = cache.read(key) else { Issue.record("expected a hit"); return }
            #expect(read == features)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: cache.directory.path).filter { $0.hasSuffix(".tmp") }
            #expect(leftovers.isEmpty)
        }
    }

    @Test func everyPartOfTheKeyChangesTheEntry() {
        var other = key
        other.backboneSHA256 = String(repeating: "ef", count: 32)
        #expect(other.fileName != key.fileName)
        other = key; other.draw = 1
        #expect(other.fileName != key.fileName)
        other = key; other.preprocessing = Preprocessing(resize: .cv2Linear)
        #expect(other.fileName != key.fileName)
        other = key; other.preprocessing = Preprocessing(border: 0.05)
        #expect(other.fileName != key.fileName)
        other = key; other.preprocessing = Preprocessing(intensity: .equalise)
        #expect(other.fileName != key.fileName)
        other = key; other.augmentation = "draw=1;rotation=10.0"
        #expect(other.fileName != key.fileName)
        other = key; other.output = .block4Pool
        #expect(other.fileName != key.fileName)
        // block5_pool keys keep the text they had before block4_pool entries existed, so old caches stay valid.
        #expect(!key.text.contains("output="))
    }

    @Test func corruptTruncatedAndStaleEntriesAreNeverUsed() throws {
        try withCache { cache in
            try cache.write(features, for: key)
            let url = cache.url(for: key)
            var bytes = try [UInt8](Data(contentsOf: url))
            bytes[bytes.count / 2] ^= 0x40
            try Data(bytes).write(to: url)
            guard case .invalid(let reason) = cache.read(key) else { Issue.record("corrupt entry was used"); return }
            #expect(reason.contains("checksum"))

            try cache.write(features, for: key)
            let whole = try Data(contentsOf: url)
            try whole.prefix(whole.count - 10).write(to: url)
            guard case .invalid = cache.read(key) else { Issue.record("truncated entry was used"); return }

            // An intact entry of another key placed under this key's name is stale.
            var other = key
            other.draw = 2
            try cache.write(features, for: other)
            try FileManager.default.removeItem(at: url)
            try FileManager.default.copyItem(at: cache.url(for: other), to: url)
            guard case .invalid(let stale) = cache.read(key) else { Issue.record("stale entry was used"); return }
            #expect(stale.contains("stale"))

            // Rewriting repairs it.
            try cache.write(features, for: key)
            guard case .hit = cache.read(key) else { Issue.record("rewritten entry not read"); return }
        }
    }

    @Test func drawZeroDoesNotDependOnAugmentationSettings() {
        let a = AugmentationSettings(draws: 4, rotation: 15), b = AugmentationSettings(draws: 2, rotation: 5)
        #expect(a.cacheDescription(draw: 0) == b.cacheDescription(draw: 0))
        #expect(a.cacheDescription(draw: 1) != b.cacheDescription(draw: 1))
        #expect(a.transform(imageSHA256: "x", draw: 0) == .identity)
        let t1 = a.transform(imageSHA256: "x", draw: 1)
        #expect(t1 == a.transform(imageSHA256: "x", draw: 1))
        #expect(t1 != a.transform(imageSHA256: "x", draw: 2))
        #expect(abs(t1.rotation) <= 15 && t1.rotation != 0)
    }
}

@Suite struct FeaturePoolingTests {
    @Test func averagePoolValidThenFlattenInHWCOrder() {
        // 3x3x2: rows/cols 0..1 pooled, row/col 2 dropped (Keras "valid").
        let values: [Float] = (0..<18).map(Float.init)
        let pooled = FeaturePooling.averagePoolFlatten(Tensor(shape: [3, 3, 2], values: values), size: 2)
        // Channel 0 at (0,0),(0,1),(1,0),(1,1) = 0, 2, 6, 8 -> 4; channel 1 = 1, 3, 7, 9 -> 5.
        #expect(pooled == [4, 5])
        let tutorial = FeaturePooling.averagePoolFlatten(Tensor(zeros: [7, 7, 512]), size: 2)
        #expect(tutorial.count == 4608)
        #expect(FeaturePooling.pooledLength(height: 7, width: 7, channels: 512, size: 2) == 4608)
    }

    @Test func secondPooledCellStartsAfterTheFirstTwoColumns() {
        var values = [Float](repeating: 0, count: 4 * 4 * 1)
        values[2] = 4   // (row 0, col 2) belongs to output cell (0, 1)
        let pooled = FeaturePooling.averagePoolFlatten(Tensor(shape: [4, 4, 1], values: values), size: 2)
        #expect(pooled == [0, 1, 0, 0])
    }
}
