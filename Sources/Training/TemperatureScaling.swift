import Foundation

/// Temperature scaling (Guo et al. 2017): one scalar T > 0 dividing the logits, fitted on held-out
/// data to minimise cross-entropy. It changes probabilities, never the arg-max (nor, for two classes,
/// which side of 0.5 a score falls), and it folds into the output layer: W/T, b/T.
public struct TemperatureScaling: Sendable, Codable, Equatable {
    public var temperature: Double
    /// Mean cross-entropy on the fitting set before and after.
    public var lossBefore: Double
    public var lossAfter: Double
    /// Expected calibration error (10 bins of the top probability) before and after.
    public var calibrationErrorBefore: Double
    public var calibrationErrorAfter: Double

    /// Smallest number of fitting images: on a handful of separable images the fit runs to T -> 0.
    public static let minimumImages = 20
    /// T is searched in this range, so a perfectly separated fitting set cannot make the model
    /// arbitrarily overconfident.
    public static let range = 0.2...10.0

    /// Fits T on `logits` [rows, classes] and `labels` by golden-section search over log T.
    public init(logits: [Float], labels: [Int], classes: Int) {
        precondition(!labels.isEmpty && logits.count == labels.count * classes)
        func loss(_ t: Double) -> Double {
            var total = 0.0
            for (row, label) in labels.enumerated() {
                let z = (0..<classes).map { Double(logits[row * classes + $0]) / t }
                let top = z.max()!
                total -= z[label] - top - log(z.reduce(0) { $0 + exp($1 - top) })
            }
            return total / Double(labels.count)
        }
        var low = log(Self.range.lowerBound), high = log(Self.range.upperBound)
        let ratio = (5.0.squareRoot() - 1) / 2
        for _ in 0..<80 {
            let a = high - ratio * (high - low), b = low + ratio * (high - low)
            if loss(exp(a)) < loss(exp(b)) { high = b } else { low = a }
        }
        temperature = exp((low + high) / 2)
        lossBefore = loss(1)
        lossAfter = loss(temperature)
        calibrationErrorBefore = Self.expectedCalibrationError(logits: logits, labels: labels, classes: classes, temperature: 1)
        calibrationErrorAfter = Self.expectedCalibrationError(logits: logits, labels: labels, classes: classes, temperature: temperature)
    }

    /// Weighted mean |accuracy - confidence| over 10 equal-width bins of the top probability.
    public static func expectedCalibrationError(logits: [Float], labels: [Int], classes: Int, temperature: Double, bins: Int = 10) -> Double {
        var count = [Int](repeating: 0, count: bins), confidence = [Double](repeating: 0, count: bins), correct = [Double](repeating: 0, count: bins)
        for (row, label) in labels.enumerated() {
            let z = (0..<classes).map { Double(logits[row * classes + $0]) / temperature }
            let top = z.max()!
            let sum = z.reduce(0) { $0 + exp($1 - top) }
            let predicted = z.indices.max { z[$0] < z[$1] }!
            let p = exp(z[predicted] - top) / sum
            let bin = min(Int(p * Double(bins)), bins - 1)
            count[bin] += 1; confidence[bin] += p; correct[bin] += predicted == label ? 1 : 0
        }
        return (0..<bins).reduce(0) { $0 + abs(correct[$1] - confidence[$1]) } / Double(labels.count)
    }

    /// The head with this temperature folded into its output layer.
    public func apply(to parameters: HeadParameters) -> HeadParameters {
        var scaled = parameters
        let factor = Float(1 / temperature)
        scaled.outputWeight = parameters.outputWeight.map { $0 * factor }
        scaled.outputBias = parameters.outputBias.map { $0 * factor }
        return scaled
    }
}
