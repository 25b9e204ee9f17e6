import Foundation

/// Adam as Keras' legacy optimiser implements it, including the time-based learning-rate decay:
///
///     lr_t  = lr / (1 + decay * iterations)                   (iterations before this step)
///     m     = beta1 * m + (1 - beta1) * g
///     v     = beta2 * v + (1 - beta2) * g^2
///     param = param - lr_t * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + epsilon),  t = iterations + 1
public struct AdamOptimizer: Sendable {
    public let learningRate: Double
    public let decay: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    /// Steps taken so far.
    public private(set) var iterations = 0
    private var firstMoments: [[Float]] = []
    private var secondMoments: [[Float]] = []

    public init(learningRate: Double, decay: Double = 0, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-7) {
        self.learningRate = learningRate; self.decay = decay
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
    }

    /// The decayed learning rate the next step uses.
    public var currentLearningRate: Double { learningRate / (1 + decay * Double(iterations)) }

    /// Updates every parameter array in place from its gradient (same count and order each call).
    public mutating func step(_ parameters: inout [[Float]], gradients: [[Float]]) {
        precondition(parameters.count == gradients.count)
        if firstMoments.isEmpty {
            firstMoments = parameters.map { [Float](repeating: 0, count: $0.count) }
            secondMoments = firstMoments
        }
        let t = Double(iterations + 1)
        let rate = Float(currentLearningRate * (1 - pow(beta2, t)).squareRoot() / (1 - pow(beta1, t)))
        let b1 = Float(beta1), b2 = Float(beta2), eps = Float(epsilon)
        for index in parameters.indices {
            precondition(parameters[index].count == gradients[index].count)
            parameters[index].withUnsafeMutableBufferPointer { p in
                firstMoments[index].withUnsafeMutableBufferPointer { m in
                    secondMoments[index].withUnsafeMutableBufferPointer { v in
                        gradients[index].withUnsafeBufferPointer { g in
                            for i in 0..<p.count {
                                m[i] = b1 * m[i] + (1 - b1) * g[i]
                                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                                p[i] -= rate * m[i] / (v[i].squareRoot() + eps)
                            }
                        }
                    }
                }
            }
        }
        iterations += 1
    }
}
