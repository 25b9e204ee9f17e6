/// Lung-field input: what a classifier sees when it should look only at the lungs. The image is cropped
/// to the lungs' bounding box (plus a margin) and everything outside the lung mask is replaced, so burned-in
/// text, markers, borders, shoulders and the patient's size are gone before the network sees the image.
public struct LungFieldInput: Sendable, Codable, Hashable {
    /// What replaces the pixels outside the (slightly widened) lung mask.
    public enum Surround: String, Sendable, Codable, CaseIterable {
        /// Kept as they are: a plain bounding-box crop.
        case keep
        /// The mean colour of the lung pixels: no edge for the network to read, no intensity cue.
        case mean
        /// Black (zero before normalisation).
        case black
    }

    /// Margin around the lungs' bounding box, as a share of the box's width and height on each side.
    public var margin: Double
    public var surround: Surround
    /// The mask is widened by this share of the image's long side before the surround is replaced, so a
    /// mask that stops just short of the lung edge does not cut off the periphery.
    public var widening: Double

    public init(margin: Double = 0.05, surround: Surround = .mean, widening: Double = 0.02) {
        precondition((0...0.5).contains(margin) && (0...0.1).contains(widening), "margin within 0...0.5, widening within 0...0.1")
        self.margin = margin; self.surround = surround; self.widening = widening
    }

    /// A stable text for cache keys and logs, e.g. `lungs=mean,margin=0.05,widen=0.02`.
    public var identifier: String { "lungs=\(surround.rawValue),margin=\(margin),widen=\(widening)" }

    /// The lung field of `image` given its lung mask (any size: it is resampled to the image's). An empty
    /// mask leaves the image as it is: nothing to crop to (the caller flags the image as having no lungs).
    public func apply(to image: RGBImage, mask: BinaryMask) -> RGBImage {
        let fitted = mask.resized(width: image.width, height: image.height)
        guard let lungs = fitted.boundingBox else { return image }
        let radius = Int((widening * Double(max(image.width, image.height))).rounded())
        var filled = image
        if surround != .keep {
            let outside = BinaryMask(width: image.width, height: image.height, pixels: fitted.dilated(radius: radius).pixels.map { !$0 })
            filled = image.filling(outside, with: surround == .black ? (0, 0, 0) : image.meanColour(inside: fitted))
        }
        let (dx, dy) = (Int((margin * Double(lungs.width)).rounded()), Int((margin * Double(lungs.height)).rounded()))
        let left = max(0, lungs.x - dx), top = max(0, lungs.y - dy)
        let right = min(image.width, lungs.x + lungs.width + dx), bottom = min(image.height, lungs.y + lungs.height + dy)
        return filled.cropped(to: PixelBox(x: left, y: top, width: right - left, height: bottom - top))
    }
}

extension BinaryMask {
    /// Widened by a square of `radius` pixels (a max filter, rows then columns).
    public func dilated(radius: Int) -> BinaryMask {
        guard radius > 0 else { return self }
        func pass(_ source: [Bool], lines: Int, length: Int, index: (Int, Int) -> Int) -> [Bool] {
            var output = source
            for line in 0..<lines {
                // Distance to the nearest inside pixel along the line, from both sides.
                var last = Int.min / 2
                var forward = [Int](repeating: Int.max / 2, count: length)
                for position in 0..<length {
                    if source[index(line, position)] { last = position }
                    forward[position] = position - last
                }
                last = Int.max / 2
                for position in stride(from: length - 1, through: 0, by: -1) {
                    if source[index(line, position)] { last = position }
                    output[index(line, position)] = min(forward[position], last - position) <= radius
                }
            }
            return output
        }
        let rows = pass(pixels, lines: height, length: width) { $0 * width + $1 }
        return BinaryMask(width: width, height: height, pixels: pass(rows, lines: width, length: height) { $1 * width + $0 })
    }
}

extension RGBImage {
    /// The mean colour (rounded to nearest) of the pixels inside `mask` (of this image's size), or of every
    /// pixel when `mask` is nil.
    public func meanColour(inside mask: BinaryMask? = nil) -> (UInt8, UInt8, UInt8) {
        var sums = (0, 0, 0), count = 0
        for index in 0..<(width * height) where mask?.pixels[index] ?? true {
            sums.0 += Int(pixels[3 * index]); sums.1 += Int(pixels[3 * index + 1]); sums.2 += Int(pixels[3 * index + 2])
            count += 1
        }
        let n = max(1, count)
        return (UInt8((sums.0 + n / 2) / n), UInt8((sums.1 + n / 2) / n), UInt8((sums.2 + n / 2) / n))
    }

    /// The pixels inside `mask` (resampled to this image's size) painted `colour`.
    public func filling(_ mask: BinaryMask, with colour: (UInt8, UInt8, UInt8)) -> RGBImage {
        let fitted = mask.resized(width: width, height: height)
        var output = pixels
        for index in fitted.pixels.indices where fitted.pixels[index] { (output[3 * index], output[3 * index + 1], output[3 * index + 2]) = colour }
        return RGBImage(width: width, height: height, pixels: output)
    }

    /// The pixels inside `box` (clamped to the image).
    public func cropped(to box: PixelBox) -> RGBImage {
        let left = max(0, box.x), top = max(0, box.y)
        let right = min(width, box.x + box.width), bottom = min(height, box.y + box.height)
        precondition(right > left && bottom > top, "crop box \(box) lies outside the \(width)x\(height) image")
        var output = [UInt8]()
        output.reserveCapacity((right - left) * (bottom - top) * 3)
        for y in top..<bottom { output += pixels[((y * width + left) * 3)..<((y * width + right) * 3)] }
        return RGBImage(width: right - left, height: bottom - top, pixels: output)
    }
}
