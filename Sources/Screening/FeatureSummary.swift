import NeuralEngine

/// The per-channel mean and standard deviation of a feature map (HWC): a fixed-length description of what
/// the backbone saw, whatever the map's size. The refusal check measures how far it lies from the
/// training images'.
public enum FeatureSummary {
    /// `[mean of channel 0, ..., mean of channel C-1, std of channel 0, ..., std of channel C-1]`.
    public static func meanAndDeviation(of map: Tensor) -> [Float] {
        let channels = map.shape.last!
        let positions = map.count / channels
        var sums = [Double](repeating: 0, count: channels)
        var squares = [Double](repeating: 0, count: channels)
        map.values.withUnsafeBufferPointer { values in
            for position in 0..<positions {
                let row = position * channels
                for channel in 0..<channels {
                    let value = Double(values[row + channel])
                    sums[channel] += value
                    squares[channel] += value * value
                }
            }
        }
        let count = Double(positions)
        let means = sums.map { $0 / count }
        let deviations = zip(squares, means).map { (max(0, $0 / count - $1 * $1)).squareRoot() }
        return (means + deviations).map { Float($0) }
    }
}
