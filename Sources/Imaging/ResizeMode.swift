/// How an image is scaled to the network's input size.
public enum ResizeMode: String, Sendable, Codable, CaseIterable {
    /// Antialiased box filter, OpenCV INTER_AREA semantics (default).
    case area
    /// OpenCV INTER_LINEAR semantics, as the tutorial resized.
    case cv2Linear = "cv2-linear"
}

extension RGBImage {
    /// The image scaled to `width x height` the way OpenCV 4.x `cv2.resize` does for uint8 RGB:
    /// `.cv2Linear` is INTER_LINEAR in OpenCV's 11-bit fixed point (results equal OpenCV's scalar path,
    /// within 1 of its SIMD path); `.area` is INTER_AREA: the exact area-weighted box average when shrinking
    /// both axes, and OpenCV's own area-flavoured bilinear weights when either axis grows.
    public func resized(width newWidth: Int, height newHeight: Int, mode: ResizeMode) -> RGBImage {
        precondition(newWidth > 0 && newHeight > 0, "resize target must be at least 1x1")
        if newWidth == width && newHeight == height { return self }
        let shrinksBothAxes = newWidth <= width && newHeight <= height
        switch mode {
        case .area where shrinksBothAxes:
            return AreaResampler(
                columns: BoxWeights(source: width, destination: newWidth),
                rows: BoxWeights(source: height, destination: newHeight)
            ).resample(self)
        case .area:
            return LinearResampler(
                columns: LinearWeights(source: width, destination: newWidth, placement: .areaUpscale),
                rows: LinearWeights(source: height, destination: newHeight, placement: .areaUpscale)
            ).resample(self)
        case .cv2Linear:
            return LinearResampler(
                columns: LinearWeights(source: width, destination: newWidth, placement: .pixelCentres),
                rows: LinearWeights(source: height, destination: newHeight, placement: .pixelCentres)
            ).resample(self)
        }
    }
}
