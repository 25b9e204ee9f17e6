/// A decoded picture: 8-bit RGB, row-major, three bytes per pixel, no padding.
///
/// This is what OpenCV's `imread(IMREAD_COLOR)` yields (after BGR->RGB), so models trained
/// with the tutorial's pipeline see the same pixels.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height * 3` bytes: R, G, B for each pixel, rows top to bottom.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 3,
                     "RGBImage needs width*height*3 bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
