/// A dense float32 array with a shape (row-major, last index fastest). Feature maps are HWC.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
        self.shape = shape
        self.values = values
    }

    public init(zeros shape: [Int]) {
        self.init(shape: shape, values: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    public var count: Int { values.count }

    /// max |self - other| / max |other|: the parity measure used against reference implementations.
    public func relativeError(to reference: Tensor) -> Float {
        precondition(shape == reference.shape, "shapes differ: \(shape) vs \(reference.shape)")
        var maxDifference: Float = 0
        var maxReference: Float = 0
        for index in values.indices {
            maxDifference = max(maxDifference, abs(values[index] - reference.values[index]))
            maxReference = max(maxReference, abs(reference.values[index]))
        }
        return maxReference > 0 ? maxDifference / maxReference : maxDifference
    }
}
