import Imaging

/// The outbox image that shows its verdict: the radiograph with the deciding model's Grad-CAM heatmap (for the
/// stated result) as a
/// translucent red overlay and the lung outline, above a band (added below the image, so no pixel of the
/// radiograph outside the overlay changes) giving the result, Prob, each model's P(COVID-19), the policy, the
/// date and "screening aid, not a diagnosis". Layout: the input's width, its height plus the band's.
public enum AnnotatedImage {
    /// Heatmap opacity at the heatmap's maximum.
    public static let heatmapOpacity = 0.45

    public static func render(_ image: RGBImage, verdict: Verdict, policy: String, date: String) -> RGBImage {
        let lines = bandLines(verdict: verdict, policy: policy, date: date)
        // One full-size copy (the image with its band); the overlays are drawn on it in place.
        var output = appendingBand(lines, below: image, headlineColour: colour(of: verdict.result))
        if let heatmap = verdict.shownHeatmap { overlay(heatmap, onto: &output, areaHeight: image.height) }
        if let lungs = verdict.lungs { lungs.drawOutline(onto: &output, areaHeight: image.height) }
        return output
    }

    /// The band's text, one entry per line before wrapping: the headline first.
    public static func bandLines(verdict: Verdict, policy: String, date: String) -> [String] {
        var lines = ["\(verdict.result.rawValue)  PROB \(verdict.prob)"]
        let scores = verdict.scores.map { "\($0.model) P(COVID-19) \(decimal($0.probability))" }.joined(separator: "  ")
        if let refusal = verdict.refusal {
            lines.append("NOT JUDGED: \(refusal.reason)")
            lines.append("FOR THE RECORD, NOT A VERDICT: \(scores)")
        } else {
            lines.append(scores)
            var detail = "POLICY \(policy)"
            if let model = verdict.decidingModel { detail += "  HEATMAP: \(model) (GRAD-CAM)" }
            if let share = verdict.saliencyInLungs { detail += "  \(Int((100 * share).rounded())) % IN LUNGS" }
            lines.append(detail)
        }
        lines.append("\(date)  SCREENING AID, NOT A DIAGNOSIS")
        return lines
    }

    /// Red, alpha proportional to the heat, over the top `areaHeight` rows of the image, in place (the heatmap
    /// resampled to the image's size one row at a time, so a large radiograph costs no full-size buffer).
    static func overlay(_ heatmap: Heatmap, onto image: inout RGBImage, areaHeight: Int) {
        for y in 0..<areaHeight {
            // Resample vertically to this row, then horizontally to the image's width.
            let position = max(0, min(Double(heatmap.height - 1), (Double(y) + 0.5) * Double(heatmap.height) / Double(areaHeight) - 0.5))
            let low = Int(position.rounded(.down)), high = min(low + 1, heatmap.height - 1), weight = Float(position - Double(low))
            let row = (0..<heatmap.width).map { x in
                heatmap.values[low * heatmap.width + x] * (1 - weight) + heatmap.values[high * heatmap.width + x] * weight
            }
            let heat = LungFields.bilinear(row, width: heatmap.width, height: 1, toWidth: image.width, toHeight: 1)
            for (x, value) in heat.enumerated() where value > 0 {
                let alpha = heatmapOpacity * Double(value)
                let base = (y * image.width + x) * 3
                image.pixels[base] = UInt8((1 - alpha) * Double(image.pixels[base]) + alpha * 255)
                image.pixels[base + 1] = UInt8((1 - alpha) * Double(image.pixels[base + 1]))
                image.pixels[base + 2] = UInt8((1 - alpha) * Double(image.pixels[base + 2]))
            }
        }
    }

    /// Text scale that keeps the band readable: one font pixel per 320 pixels of width, at least 1.
    static func scale(forWidth width: Int) -> Int { max(1, width / 320) }

    /// The image with a dark band below it holding `lines`, word-wrapped to the width.
    static func appendingBand(_ lines: [String], below image: RGBImage, headlineColour: (UInt8, UInt8, UInt8)) -> RGBImage {
        let scale = scale(forWidth: image.width)
        let margin = 2 * scale
        // The headline (result and Prob) at twice the size of the other lines.
        let wrapped = lines.enumerated().flatMap { index, line in
            let lineScale = index == 0 ? 2 * scale : scale
            let columns = max(8, (image.width - 2 * margin) / ((BitmapFont.glyphWidth + BitmapFont.spacing) * lineScale))
            return wrap(line, columns: columns).map { (scale: lineScale, text: $0, isHeadline: index == 0) }
        }
        let bandHeight = wrapped.reduce(0) { $0 + (BitmapFont.glyphHeight + 3) * $1.scale } + 2 * margin
        var output = RGBImage(width: image.width, height: image.height + bandHeight,
                              pixels: image.pixels + [UInt8](repeating: 24, count: image.width * bandHeight * 3))
        var top = image.height + margin
        for line in wrapped {
            output.drawText(line.text, x: margin, y: top, scale: line.scale, colour: line.isHeadline ? headlineColour : (235, 235, 235))
            top += (BitmapFont.glyphHeight + 3) * line.scale
        }
        return output
    }

    /// Splits at spaces into lines of at most `columns` characters (a longer word is cut).
    static func wrap(_ text: String, columns: Int) -> [String] {
        var lines: [String] = [], current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            var word = word
            while word.count > columns {
                if !current.isEmpty { lines.append(current); current = "" }
                lines.append(String(word.prefix(columns))); word = String(word.dropFirst(columns))
            }
            if current.isEmpty { current = word } else if current.count + 1 + word.count <= columns { current += " " + word } else {
                lines.append(current); current = word
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }

    static func colour(of result: ScreeningResult) -> (UInt8, UInt8, UInt8) {
        switch result {
        case .positive: (255, 90, 80)
        case .negative: (90, 220, 120)
        case .indeterminate: (255, 200, 60)
        }
    }

    private static func decimal(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }
}
