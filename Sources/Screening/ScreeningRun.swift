import Dispatch
import Imaging
import NeuralEngine

/// Screens a batch of image files: decodes them (in parallel), runs the models on those that decoded, and
/// returns one result per file in input order; a file that cannot be decoded gets its reason, never a skip.
public enum ScreeningRun {
    /// `screened` sees each decoded image with its verdict (e.g. to draw its lung outline) before the pixels
    /// are dropped, so nothing is decoded twice.
    public static func screen(_ files: [String], with screener: Screener, limits: ImageLimits,
                              screened: (String, RGBImage, Verdict) -> Void = { _, _, _ in }) -> [ScreenedFile] {
        let decoded = decodeAll(files, limits: limits)
        let images = decoded.compactMap { try? $0.get().image }
        var verdicts = screener.screen(images).makeIterator()
        return zip(files, decoded).map { file, result in
            switch result {
            case .success(let decoded):
                let verdict = verdicts.next()!.checked(against: decoded.dicom)
                screened(file, decoded.image, verdict)
                return ScreenedFile(file: file, outcome: .verdict(verdict))
            case .failure(let error): return ScreenedFile(file: file, outcome: .undecodable(error))
            }
        }
    }

    /// Decodes on all cores; results in input order.
    public static func decodeAll(_ files: [String], limits: ImageLimits) -> [Result<ImageDecoder.Decoded, ImageDecodeError>] {
        let results = Slots<Result<ImageDecoder.Decoded, ImageDecodeError>>(count: files.count)
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            results[index] = Result { () throws(ImageDecodeError) in try ImageDecoder.decodeWithAttributes(contentsOf: files[index], limits: limits) }
        }
        return results.values
    }
}
