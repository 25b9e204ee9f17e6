import ArgumentParser
import Imaging

/// `train`'s options for how images are prepared for the backbone; builds the `Preprocessing`.
struct PreprocessingOptions: ParsableArguments {
    @Option(help: "Resize mode: area or cv2-linear.")
    var resize: String = ResizeMode.area.rawValue
    @Option(help: "Normalisation: caffe (what VGG16 expects) or unit (the tutorial's RGB/255).")
    var normalisation: String = Normalisation.caffe.rawValue
    @Option(help: "Input size in pixels (a multiple of 32, at least 64).")
    var size: Int = 224
    @Option(help: "Fraction of width and height cut from each side before resizing (0...0.25).")
    var border: Double = 0
    @Option(help: "Intensity normalisation after resizing: none, stretch, equalise, or lung-stretch (the lungs' 2nd-98th brightness percentiles mapped to 40-200; needs the lung segmenter, --lungs).")
    var intensity: String = IntensityNormalisation.none.rawValue
    @Option(help: "Look only at the lungs: crop to them and replace what lies outside the mask with their mean colour (mean), black (black), or crop only (keep).")
    var lungField: LungFieldInput.Surround?
    @Option(help: "Margin around the lungs' box, as a share of its size.") var lungMargin: Double = LungFieldInput().margin
    @Option(help: "The lung segmenter's manifest (for --lung-field and --intensity lung-stretch).") var lungs: String = "models/lungs.json"

    func preprocessing() throws -> Preprocessing {
        guard let resizeMode = ResizeMode(rawValue: resize) else { throw ValidationError("--resize must be one of \(ResizeMode.allCases.map(\.rawValue).joined(separator: ", "))") }
        guard let normalisationMode = Normalisation(rawValue: normalisation) else { throw ValidationError("--normalisation must be one of \(Normalisation.allCases.map(\.rawValue).joined(separator: ", "))") }
        guard size >= 64, size % 32 == 0 else { throw ValidationError("--size must be a multiple of 32 and at least 64 (the backbone output is size/32 and the head pools it by 2)") }
        guard (0...0.25).contains(border) else { throw ValidationError("--border must be within 0...0.25") }
        guard let intensityMode = IntensityNormalisation(rawValue: intensity) else { throw ValidationError("--intensity must be one of \(IntensityNormalisation.allCases.map(\.rawValue).joined(separator: ", "))") }
        guard (0...0.5).contains(lungMargin) else { throw ValidationError("--lung-margin must be within 0...0.5") }
        return Preprocessing(resize: resizeMode, normalisation: normalisationMode, size: size, border: border, intensity: intensityMode,
                             lungField: lungField.map { LungFieldInput(margin: lungMargin, surround: $0) })
    }

    /// The segmenter's manifest when `preprocessing` reads the lungs.
    func segmenterPath(for preprocessing: Preprocessing) -> String? { preprocessing.readsLungs ? lungs : nil }
}

extension LungFieldInput.Surround: ExpressibleByArgument {}
