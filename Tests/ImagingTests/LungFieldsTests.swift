import Imaging
import Testing

/// Masks, their clean-up and their figures, on hand-made shapes.
struct LungFieldsTests {
    /// A `width x height` mask with the given rectangles (x, y, w, h) set.
    func mask(_ width: Int, _ height: Int, _ boxes: [(Int, Int, Int, Int)]) -> BinaryMask {
        var pixels = [Bool](repeating: false, count: width * height)
        for (x0, y0, w, h) in boxes { for y in y0..<(y0 + h) { for x in x0..<(x0 + w) { pixels[y * width + x] = true } } }
        return BinaryMask(width: width, height: height, pixels: pixels)
    }

    @Test func diceOfKnownOverlaps() {
        let a = mask(10, 10, [(0, 0, 4, 5)])            // 20 pixels
        let b = mask(10, 10, [(2, 0, 4, 5)])            // 20 pixels, 10 shared
        #expect(a.dice(with: b) == 0.5)
        #expect(a.dice(with: a) == 1)
        #expect(a.dice(with: mask(10, 10, [(6, 6, 2, 2)])) == 0)
        #expect(mask(4, 4, []).dice(with: mask(4, 4, [])) == 1, "two empty masks agree")
    }

    @Test func componentsAreEightConnectedAndLargestFirst() {
        // Two diagonal pixels touch (8-connectivity); a separate 3x3 block is larger.
        let shape = mask(12, 12, [(0, 0, 1, 1), (1, 1, 1, 1), (5, 5, 3, 3)])
        let components = shape.components()
        #expect(components.map(\.count) == [9, 2])
        #expect(shape.keepingLargest(1).area == 9)
    }

    @Test func fillingHolesKeepsBackgroundThatTouchesTheBorder() {
        var ring = mask(9, 9, [(2, 2, 5, 5)])
        ring.pixels[4 * 9 + 4] = false                    // a hole in the middle
        let notch = mask(9, 9, [(0, 0, 9, 1)])             // background at the border stays
        #expect(ring.fillingHoles().area == 25)
        #expect(notch.fillingHoles().area == 9)
    }

    @Test func figuresOfTwoLungsDropSpecksAndMeasureTheSides() {
        // Image-left region (patient's right lung) 30x60, image-right 20x60, a 2x2 speck, on 100x100.
        let shape = mask(100, 100, [(10, 20, 30, 60), (60, 20, 20, 60), (90, 90, 2, 2)])
        let fields = LungFields(probabilities: shape.pixels.map { $0 ? 1 : 0 }, mapWidth: 100, mapHeight: 100,
                                imageWidth: 200, imageHeight: 200)
        #expect(fields.figures.components == 2, "a speck under 0.5 % of the image is not a region")
        #expect(abs(fields.figures.areaFraction - 3000.0 / 10000) < 0.01)
        #expect(abs(fields.figures.rightToLeftRatio! - 1.5) < 0.05)
        // Analysis at the image's size (200x200): the box is in its pixels.
        let box = try! #require(fields.figures.boundingBox)
        #expect(abs(box.x - 20) <= 2 && abs(box.y - 40) <= 2 && abs(box.width - 140) <= 3 && abs(box.height - 120) <= 3)
    }

    @Test func oneRegionHasNoRatio() {
        let shape = mask(50, 50, [(10, 10, 30, 30)])
        let fields = LungFields(probabilities: shape.pixels.map { $0 ? 0.9 : 0.1 }, mapWidth: 50, mapHeight: 50, imageWidth: 50, imageHeight: 50)
        #expect(fields.figures.components == 1)
        #expect(fields.figures.rightToLeftRatio == nil)
    }

    @Test func largeImagesAreAnalysedAtAtMost1024Pixels() {
        let fields = LungFields(probabilities: [Float](repeating: 1, count: 16), mapWidth: 4, mapHeight: 4, imageWidth: 4000, imageHeight: 2000)
        #expect(fields.mask.width == 1024 && fields.mask.height == 512)
        #expect(fields.figures.boundingBox == PixelBox(x: 0, y: 0, width: 4000, height: 2000))
    }

    @Test func bilinearKeepsConstantsAndInterpolatesBetweenCentres() {
        #expect(LungFields.bilinear([2, 2, 2, 2], width: 2, height: 2, toWidth: 5, toHeight: 3).allSatisfy { $0 == 2 })
        let row = LungFields.bilinear([0, 1], width: 2, height: 1, toWidth: 4, toHeight: 1)
        #expect(row == [0, 0.25, 0.75, 1])
    }

    @Test func outlineIsTheInsideEdge() {
        let square = mask(6, 6, [(1, 1, 4, 4)])
        #expect(square.outline().area == 12)
        let drawn = square.asRGB().drawingOutline(of: square, colour: (0, 255, 0))
        #expect(drawn.pixels[(1 * 6 + 1) * 3 + 1] == 255 && drawn.pixels[(1 * 6 + 1) * 3] == 0)
        #expect(drawn.pixels[(2 * 6 + 2) * 3] == 255, "inside pixels keep their colour")
    }
}

extension BinaryMask {
    func asRGB() -> RGBImage { RGBImage(width: width, height: height, pixels: pixels.flatMap { $0 ? [255, 255, 255] : [0, 0, 0] }) }
}
