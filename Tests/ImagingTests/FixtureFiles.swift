import Foundation
import Imaging
import TestSupport

/// The committed fixture files of this test target and small pixel comparison helpers.
enum FixtureFiles {
    static let width = 64, height = 48

    static func path(_ name: String) -> String {
        Fixtures.packageRoot.appendingPathComponent("Tests/ImagingTests/Fixtures/\(name)").path
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }

    /// A raw `.rgb` reference (64x48x3) as an image.
    static func reference(_ name: String) throws -> RGBImage {
        RGBImage(width: width, height: height, pixels: try bytes(name))
    }

    /// `reference_grey8.gray` with each grey value replicated to R, G and B.
    static func greyReference() throws -> RGBImage {
        RGBImage(width: width, height: height, pixels: try bytes("reference_grey8.gray").flatMap { [$0, $0, $0] })
    }
}

/// How far apart two same-sized images are.
struct PixelDifference: CustomStringConvertible {
    let maximum: Int
    /// Number of bytes (pixel channels) that differ at all.
    let differing: Int

    init(_ a: RGBImage, _ b: RGBImage) {
        precondition(a.width == b.width && a.height == b.height)
        self.init(a.pixels, b.pixels)
    }

    init(_ a: [UInt8], _ b: [UInt8]) {
        precondition(a.count == b.count)
        var maximum = 0, differing = 0
        for (x, y) in zip(a, b) where x != y {
            maximum = max(maximum, abs(Int(x) - Int(y)))
            differing += 1
        }
        self.maximum = maximum
        self.differing = differing
    }

    var description: String { "max difference \(maximum), \(differing) differing channel values" }
}
