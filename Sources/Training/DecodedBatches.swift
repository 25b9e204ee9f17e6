import Imaging

extension Array where Element == LabelledImage {
    /// Decodes the images 8 at a time and hands each batch (image and its pixels) to `body`, for passes through
    /// the screening path. An image that cannot be decoded is left out (evaluate lists it among the skipped);
    /// `progress` counts every image, decoded or not.
    func forEachDecodedBatch(limits: ImageLimits, progress: ProgressReporter?, _ body: ([(image: LabelledImage, pixels: RGBImage)]) -> Void) {
        progress?.start(total: count, unit: "images")
        for chunk in chunked(8) {
            body(chunk.compactMap { image in (try? ImageDecoder.decode(contentsOf: image.path, limits: limits)).map { (image, $0) } })
            progress?.advance(by: chunk.count)
        }
        progress?.finish()
    }
}
