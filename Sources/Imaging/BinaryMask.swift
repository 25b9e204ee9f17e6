/// A two-valued image (true = inside), row-major: lung masks, their clean-up and their measurements.
public struct BinaryMask: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [Bool]

    public init(width: Int, height: Int, pixels: [Bool]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height, "BinaryMask needs width*height pixels")
        self.width = width; self.height = height; self.pixels = pixels
    }

    /// Pixels of a probability map at or above `threshold`.
    public init(probabilities: [Float], width: Int, height: Int, threshold: Float = 0.5) {
        self.init(width: width, height: height, pixels: probabilities.map { $0 >= threshold })
    }

    /// Pixels of an 8-bit grey or RGB image whose first channel is at least 128 (mask files store 0 and 255).
    public init(image: RGBImage) {
        self.init(width: image.width, height: image.height, pixels: stride(from: 0, to: image.pixels.count, by: 3).map { image.pixels[$0] >= 128 })
    }

    public var area: Int { pixels.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// 2|A∩B| / (|A| + |B|); 1 when both are empty.
    public func dice(with other: BinaryMask) -> Double {
        precondition(width == other.width && height == other.height, "masks differ in size")
        var both = 0, total = 0
        for index in pixels.indices {
            if pixels[index] { total += 1 }
            if other.pixels[index] { total += 1; if pixels[index] { both += 1 } }
        }
        return total == 0 ? 1 : 2 * Double(both) / Double(total)
    }

    /// 8-connected components, largest first: each a list of pixel indices.
    public func components() -> [[Int]] {
        var label = [Int32](repeating: -1, count: pixels.count)
        var result: [[Int]] = []
        var stack: [Int] = []
        for seed in pixels.indices where pixels[seed] && label[seed] < 0 {
            let id = Int32(result.count)
            var members: [Int] = []
            label[seed] = id
            stack.append(seed)
            while let index = stack.popLast() {
                members.append(index)
                let (x, y) = (index % width, index / width)
                for dy in -1...1 {
                    for dx in -1...1 where dx != 0 || dy != 0 {
                        let (nx, ny) = (x + dx, y + dy)
                        guard nx >= 0, ny >= 0, nx < width, ny < height else { continue }
                        let neighbour = ny * width + nx
                        if pixels[neighbour] && label[neighbour] < 0 { label[neighbour] = id; stack.append(neighbour) }
                    }
                }
            }
            result.append(members)
        }
        return result.sorted { $0.count > $1.count }
    }

    /// Only the `count` largest components.
    public func keepingLargest(_ count: Int) -> BinaryMask {
        var kept = BinaryMask(width: width, height: height, pixels: [Bool](repeating: false, count: pixels.count))
        for component in components().prefix(count) { for index in component { kept.pixels[index] = true } }
        return kept
    }

    /// Background regions that do not touch the border (4-connected) become inside.
    public func fillingHoles() -> BinaryMask {
        var outside = [Bool](repeating: false, count: pixels.count)
        var stack: [Int] = []
        func visit(_ index: Int) {
            if !pixels[index] && !outside[index] { outside[index] = true; stack.append(index) }
        }
        for x in 0..<width { visit(x); visit((height - 1) * width + x) }
        for y in 0..<height { visit(y * width); visit(y * width + width - 1) }
        while let index = stack.popLast() {
            let (x, y) = (index % width, index / width)
            if x > 0 { visit(index - 1) }
            if x < width - 1 { visit(index + 1) }
            if y > 0 { visit(index - width) }
            if y < height - 1 { visit(index + width) }
        }
        return BinaryMask(width: width, height: height, pixels: outside.map { !$0 })
    }

    /// Inside pixels with a 4-neighbour outside (or on the image edge): the outline to draw.
    public func outline() -> BinaryMask {
        var edge = [Bool](repeating: false, count: pixels.count)
        for y in 0..<height {
            for x in 0..<width where pixels[y * width + x] {
                let index = y * width + x
                edge[index] = x == 0 || y == 0 || x == width - 1 || y == height - 1
                    || !pixels[index - 1] || !pixels[index + 1] || !pixels[index - width] || !pixels[index + width]
            }
        }
        return BinaryMask(width: width, height: height, pixels: edge)
    }

    /// The same mask resampled to another size by nearest neighbour (pixel centres); itself at its own size.
    public func resized(width newWidth: Int, height newHeight: Int) -> BinaryMask {
        if newWidth == width && newHeight == height { return self }
        var output = [Bool](repeating: false, count: newWidth * newHeight)
        for y in 0..<newHeight {
            let sourceY = min(height - 1, Int((Double(y) + 0.5) * Double(height) / Double(newHeight)))
            for x in 0..<newWidth {
                let sourceX = min(width - 1, Int((Double(x) + 0.5) * Double(width) / Double(newWidth)))
                output[y * newWidth + x] = pixels[sourceY * width + sourceX]
            }
        }
        return BinaryMask(width: newWidth, height: newHeight, pixels: output)
    }

    /// Smallest box holding every inside pixel, or nil for an empty mask.
    public var boundingBox: PixelBox? {
        var (minX, minY, maxX, maxY) = (width, height, -1, -1)
        for y in 0..<height {
            for x in 0..<width where pixels[y * width + x] {
                minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
            }
        }
        return maxX < 0 ? nil : PixelBox(x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1)
    }
}

/// A rectangle in pixel coordinates.
public struct PixelBox: Sendable, Equatable, Codable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int
    public init(x: Int, y: Int, width: Int, height: Int) { self.x = x; self.y = y; self.width = width; self.height = height }

    /// The box in an image `factorX`/`factorY` times as large, covering whole pixels there.
    public func scaled(x factorX: Double, y factorY: Double) -> PixelBox {
        let left = Int((Double(x) * factorX).rounded(.down)), top = Int((Double(y) * factorY).rounded(.down))
        let right = Int((Double(x + width) * factorX).rounded(.up)), bottom = Int((Double(y + height) * factorY).rounded(.up))
        return PixelBox(x: left, y: top, width: right - left, height: bottom - top)
    }
}
