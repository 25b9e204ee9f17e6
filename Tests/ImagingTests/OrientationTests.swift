@testable import Imaging
import Testing

/// Each EXIF orientation undoes the way the picture was stored; the stored versions are made with
/// `rotated(degrees:)` and a mirror, independently of the orientation table.
@Suite("EXIF orientation table")
struct OrientationTests {
    private let upright = RGBImage(width: 6, height: 6, pixels: (0..<36).flatMap { (index: Int) -> [UInt8] in [UInt8(index), UInt8(35 - index), 9] })

    private func mirrored(_ image: RGBImage) -> RGBImage {
        var pixels: [UInt8] = []
        for y in 0..<image.height {
            for x in (0..<image.width).reversed() {
                let offset = (y * image.width + x) * 3
                pixels += image.pixels[offset..<offset + 3]
            }
        }
        return RGBImage(width: image.width, height: image.height, pixels: pixels)
    }

    @Test(arguments: 1...8)
    func storedImageComesBackUpright(orientation: Int) {
        let stored: RGBImage
        switch orientation {
        case 1: stored = upright
        case 2: stored = mirrored(upright)
        case 3: stored = upright.rotated(degrees: 180)
        case 4: stored = mirrored(upright.rotated(degrees: 180))
        case 5: stored = mirrored(upright.rotated(degrees: -90))  // transposed
        case 6: stored = upright.rotated(degrees: 90)             // turned counter-clockwise
        case 7: stored = mirrored(upright.rotated(degrees: 90))   // transversed
        default: stored = upright.rotated(degrees: -90)           // 8: turned clockwise
        }
        #expect(stored.reoriented(exif: orientation) == upright)
    }
}
