import Foundation

/// A Gaussian fitted to feature summaries, for Mahalanobis distances: the mean, and a whitening matrix W
/// (the inverse of the Cholesky factor of the covariance) with |W (x - mean)|^2 the squared distance.
///
/// With far fewer images than dimensions' worth of pairs, the sample covariance is shrunk towards its own
/// diagonal: S' = (1 - shrinkage) S + shrinkage diag(S), plus a tiny ridge so that a channel that never varied
/// in training still has an inverse.
public struct GaussianFit: Sendable, Equatable {
    public let mean: [Double]
    /// Row-major d x d, lower triangular.
    public let whitening: [Double]
    public var dimension: Int { mean.count }

    /// Fits `samples` (each of the same length, at least two of them).
    public init(samples: [[Float]], shrinkage: Double) {
        precondition(samples.count >= 2, "a covariance needs at least two samples")
        let d = samples[0].count
        let n = Double(samples.count)
        var mean = [Double](repeating: 0, count: d)
        for sample in samples { for index in 0..<d { mean[index] += Double(sample[index]) } }
        mean = mean.map { $0 / n }
        var covariance = [Double](repeating: 0, count: d * d)
        var centred = [Double](repeating: 0, count: d)
        for sample in samples {
            for index in 0..<d { centred[index] = Double(sample[index]) - mean[index] }
            for row in 0..<d where centred[row] != 0 {
                let value = centred[row]
                for column in 0...row { covariance[row * d + column] += value * centred[column] }
            }
        }
        let meanVariance = (0..<d).map { covariance[$0 * d + $0] / (n - 1) }.reduce(0, +) / Double(d)
        let ridge = max(1e-6 * meanVariance, 1e-12)
        for row in 0..<d {
            for column in 0...row {
                var value = covariance[row * d + column] / (n - 1)
                if row != column { value *= 1 - shrinkage } else { value += ridge }
                covariance[row * d + column] = value
                covariance[column * d + row] = value
            }
        }
        self.mean = mean
        self.whitening = Self.inverseCholeskyFactor(of: covariance, dimension: d)
    }

    /// Mahalanobis distance of one summary.
    public func distance(of sample: [Float]) -> Double {
        let d = dimension
        let centred = (0..<d).map { Double(sample[$0]) - mean[$0] }
        var total = 0.0
        for row in 0..<d {
            var projection = 0.0
            for column in 0...row { projection += whitening[row * d + column] * centred[column] }
            total += projection * projection
        }
        return total.squareRoot()
    }

    /// L^-1 for the lower-triangular L with L L^T = matrix (symmetric positive definite, row-major).
    static func inverseCholeskyFactor(of matrix: [Double], dimension d: Int) -> [Double] {
        var factor = [Double](repeating: 0, count: d * d)
        for row in 0..<d {
            for column in 0...row {
                var sum = matrix[row * d + column]
                for k in 0..<column { sum -= factor[row * d + k] * factor[column * d + k] }
                if row == column {
                    precondition(sum > 0, "covariance is not positive definite")
                    factor[row * d + row] = sum.squareRoot()
                } else {
                    factor[row * d + column] = sum / factor[column * d + column]
                }
            }
        }
        // Forward substitution, one column of the inverse at a time.
        var inverse = [Double](repeating: 0, count: d * d)
        for column in 0..<d {
            for row in column..<d {
                var sum = row == column ? 1.0 : 0.0
                for k in column..<row { sum -= factor[row * d + k] * inverse[k * d + column] }
                inverse[row * d + column] = sum / factor[row * d + row]
            }
        }
        return inverse
    }
}
