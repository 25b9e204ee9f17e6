extension RGBImage {
    /// The image with the outline of `mask` painted in `colour`, `thickness` pixels wide; the mask is
    /// resampled to the image's size first. For the lung outline on overlays and contact sheets.
    public func drawingOutline(of mask: BinaryMask, colour: (UInt8, UInt8, UInt8), thickness: Int = 1) -> RGBImage {
        var output = self
        output.drawOutline(of: mask, colour: colour, thickness: thickness)
        return output
    }

    /// Paints the outline of `mask` (resampled by nearest neighbour to the top `areaHeight` rows, all rows by
    /// default) in place. The resampled mask is never built: each pixel looks its source up, so a large
    /// radiograph costs no full-size mask.
    public mutating func drawOutline(of mask: BinaryMask, colour: (UInt8, UInt8, UInt8), thickness: Int = 1, areaHeight: Int? = nil) {
        let (areaWidth, areaHeight) = (width, min(height, areaHeight ?? height))
        let sourceColumn = (0..<areaWidth).map { min(mask.width - 1, Int((Double($0) + 0.5) * Double(mask.width) / Double(areaWidth))) }
        let sourceRow = (0..<areaHeight).map { min(mask.height - 1, Int((Double($0) + 0.5) * Double(mask.height) / Double(areaHeight))) }
        func inside(_ x: Int, _ y: Int) -> Bool { mask.pixels[sourceRow[y] * mask.width + sourceColumn[x]] }
        let radius = max(0, thickness - 1) / 2
        for y in 0..<areaHeight {
            for x in 0..<areaWidth where inside(x, y) {
                let edge = x == 0 || y == 0 || x == areaWidth - 1 || y == areaHeight - 1
                    || !inside(x - 1, y) || !inside(x + 1, y) || !inside(x, y - 1) || !inside(x, y + 1)
                guard edge else { continue }
                for py in max(0, y - radius)...min(areaHeight - 1, y + radius) {
                    for px in max(0, x - radius)...min(areaWidth - 1, x + radius) {
                        let index = (py * width + px) * 3
                        (pixels[index], pixels[index + 1], pixels[index + 2]) = colour
                    }
                }
            }
        }
    }

    /// Outline thickness that stays visible at any image size: 1 pixel per 256 of the long side, at least 1.
    public static func outlineThickness(width: Int, height: Int) -> Int { max(1, max(width, height) / 256) }

    /// The image scaled to fit a `side x side` square (aspect kept, area resampling), centred on black.
    public func fitted(in side: Int) -> RGBImage {
        let scale = Double(side) / Double(max(width, height))
        let (w, h) = (max(1, Int(Double(width) * scale)), max(1, Int(Double(height) * scale)))
        let scaled = resized(width: w, height: h, mode: .area)
        var output = [UInt8](repeating: 0, count: side * side * 3)
        let (left, top) = ((side - w) / 2, (side - h) / 2)
        for y in 0..<h {
            let from = y * w * 3, to = ((top + y) * side + left) * 3
            output.replaceSubrange(to..<(to + w * 3), with: scaled.pixels[from..<(from + w * 3)])
        }
        return RGBImage(width: side, height: side, pixels: output)
    }

    /// Tiles of one size in rows of `columns`, on black.
    public static func contactSheet(_ tiles: [RGBImage], columns: Int) -> RGBImage? {
        guard let first = tiles.first else { return nil }
        let side = first.width
        let rows = (tiles.count + columns - 1) / columns
        let width = side * min(columns, tiles.count)
        var output = [UInt8](repeating: 0, count: width * rows * side * 3)
        for (index, tile) in tiles.enumerated() {
            precondition(tile.width == side && tile.height == side, "contact sheet tiles must be square and of one size")
            let (column, row) = (index % columns, index / columns)
            for y in 0..<side {
                let from = y * side * 3, to = ((row * side + y) * width + column * side) * 3
                output.replaceSubrange(to..<(to + side * 3), with: tile.pixels[from..<(from + side * 3)])
            }
        }
        return RGBImage(width: width, height: rows * side, pixels: output)
    }
}
