import Foundation
import NeuralEngine

/// Forward and backward passes of `HeadParameters` on a mini-batch of pooled feature vectors,
/// with the matrix products on BLAS.
public enum HeadNetwork {
    /// Gradients of the loss with respect to each parameter, same layouts as `HeadParameters`.
    public struct Gradients: Sendable {
        public var hiddenWeight: [Float]
        public var hiddenBias: [Float]
        public var outputWeight: [Float]
        public var outputBias: [Float]
        var flat: [[Float]] { [hiddenWeight, hiddenBias, outputWeight, outputBias] }
    }

    /// Result of a training-mode pass over one batch.
    public struct BatchResult: Sendable {
        /// Weighted mean cross-entropy over the batch (Keras' sum-over-batch-size reduction).
        public var loss: Double
        /// Number of examples whose arg-max matches the label.
        public var correct: Int
        public var gradients: Gradients
        /// d loss / d inputs `[rows, parameters.inputs]`, when asked for (to train what feeds the head).
        public var inputGradient: [Float]?
    }

    /// Class probabilities [rows, classes] for `inputs` [rows, parameters.inputs], inference mode
    /// (dropout is the identity).
    public static func probabilities(_ parameters: HeadParameters, inputs: [Float], rows: Int) -> [Float] {
        let hidden = hiddenActivations(parameters, inputs: inputs, rows: rows)
        return softmaxRows(logits(parameters, activations: hidden, rows: rows), classes: parameters.classes)
    }

    /// Output logits [rows, classes] (before softmax), inference mode.
    public static func logits(_ parameters: HeadParameters, inputs: [Float], rows: Int) -> [Float] {
        logits(parameters, activations: hiddenActivations(parameters, inputs: inputs, rows: rows), rows: rows)
    }

    /// One training step's forward and backward pass.
    /// - Parameters:
    ///   - keepMask: per hidden activation, 0 (dropped) or 1/(1-rate) (kept); nil means no dropout.
    ///   - weights: per example loss weight (class weights), nil means 1.
    ///   - withInputGradient: also return the gradient with respect to the inputs.
    ///   - consistency: with a weight, `inputs` holds twice as many rows as `labels`: the labelled rows, then
    ///     a partner row for each (another augmented draw of the same image). The partners carry no
    ///     cross-entropy; the loss adds `weight` times the mean symmetric KL divergence between each pair's
    ///     class probabilities, so the head learns to give an image the same answer whatever its processing.
    ///     The keep-mask then covers both halves.
    public static func lossAndGradients(_ parameters: HeadParameters, inputs: [Float], labels: [Int],
                                        keepMask: [Float]?, weights: [Float]?, withInputGradient: Bool = false,
                                        consistency: Float? = nil) -> BatchResult {
        let labelled = labels.count, classes = parameters.classes, hidden = parameters.hidden
        let rows = consistency == nil ? labelled : 2 * labelled
        let preActivation = hiddenActivations(parameters, inputs: inputs, rows: rows, applyReLU: false)
        var activation = preActivation.map { max($0, 0) }
        if let keepMask { for i in activation.indices { activation[i] *= keepMask[i] } }
        let outputLogits = logits(parameters, activations: activation, rows: rows)
        let probabilities = softmaxRows(outputLogits, classes: classes)

        // Softmax + cross-entropy: d loss / d logits = weight * (p - onehot) / labelled rows.
        var loss = 0.0
        var correct = 0
        var logitGradient = probabilities
        for row in 0..<labelled {
            let weight = weights?[row] ?? 1
            let base = row * classes
            let label = labels[row]
            loss += Double(weight) * -logProbability(outputLogits, row: row, classes: classes, label: label)
            if argmax(probabilities, row: row, classes: classes) == label { correct += 1 }
            logitGradient[base + label] -= 1
            for c in 0..<classes { logitGradient[base + c] *= weight / Float(labelled) }
        }
        loss /= Double(labelled)
        if let consistency {
            loss += addConsistency(consistency, logits: outputLogits, probabilities: probabilities, into: &logitGradient, pairs: labelled, classes: classes)
        }

        var outputWeightGradient = [Float](repeating: 0, count: hidden * classes)
        multiply(activation, logitGradient, into: &outputWeightGradient, m: hidden, n: classes, k: rows, transposeA: true)
        let outputBiasGradient = columnSums(logitGradient, rows: rows, columns: classes)

        var activationGradient = [Float](repeating: 0, count: rows * hidden)
        multiply(logitGradient, parameters.outputWeight, into: &activationGradient, m: rows, n: hidden, k: classes, transposeB: true)
        for i in activationGradient.indices {
            let through = preActivation[i] > 0 ? (keepMask?[i] ?? 1) : 0
            activationGradient[i] *= through
        }
        var hiddenWeightGradient = [Float](repeating: 0, count: parameters.inputs * hidden)
        multiply(inputs, activationGradient, into: &hiddenWeightGradient, m: parameters.inputs, n: hidden, k: rows, transposeA: true)
        let hiddenBiasGradient = columnSums(activationGradient, rows: rows, columns: hidden)
        var inputGradient: [Float]?
        if withInputGradient {
            var gradient = [Float](repeating: 0, count: rows * parameters.inputs)
            multiply(activationGradient, parameters.hiddenWeight, into: &gradient, m: rows, n: parameters.inputs, k: hidden, transposeB: true)
            inputGradient = gradient
        }

        return BatchResult(loss: loss, correct: correct, gradients: Gradients(
            hiddenWeight: hiddenWeightGradient, hiddenBias: hiddenBiasGradient,
            outputWeight: outputWeightGradient, outputBias: outputBiasGradient), inputGradient: inputGradient)
    }

    /// Weighted mean cross-entropy without gradients, inference mode (for validation and checks).
    public static func loss(_ parameters: HeadParameters, inputs: [Float], labels: [Int], weights: [Float]? = nil) -> Double {
        let hidden = hiddenActivations(parameters, inputs: inputs, rows: labels.count)
        let outputLogits = logits(parameters, activations: hidden, rows: labels.count)
        var total = 0.0
        for (row, label) in labels.enumerated() {
            total += Double(weights?[row] ?? 1) * -logProbability(outputLogits, row: row, classes: parameters.classes, label: label)
        }
        return total / Double(max(labels.count, 1))
    }

    // MARK: - Pieces

    /// The consistency penalty: `weight` times the mean symmetric KL divergence between the class
    /// probabilities of each pair (rows `i` and `pairs + i`), with its gradient added to the logits'. With
    /// `d = z_a - z_b` the divergence is `(p_a - p_b) . d`, so d/dz_a = J_a d + (p_a - p_b) and d/dz_b =
    /// -(J_b d + (p_a - p_b)), J being softmax's Jacobian `diag(p) - p p^T`. Two draws that agree cost
    /// nothing, however confident. Partner rows start with no gradient of their own.
    private static func addConsistency(_ weight: Float, logits z: [Float], probabilities p: [Float], into gradient: inout [Float],
                                       pairs: Int, classes: Int) -> Double {
        for i in (pairs * classes)..<(2 * pairs * classes) { gradient[i] = 0 }
        let scale = weight / Float(pairs)
        var divergence = 0.0
        for pair in 0..<pairs {
            let a = pair * classes, b = (pairs + pair) * classes
            let d = (0..<classes).map { z[a + $0] - z[b + $0] }
            let pd = (0..<classes).map { p[a + $0] - p[b + $0] }
            let aAlongD = (0..<classes).reduce(Float(0)) { $0 + p[a + $1] * d[$1] }
            let bAlongD = (0..<classes).reduce(Float(0)) { $0 + p[b + $1] * d[$1] }
            for c in 0..<classes {
                divergence += Double(pd[c] * d[c])
                gradient[a + c] += scale * (p[a + c] * (d[c] - aAlongD) + pd[c])
                gradient[b + c] -= scale * (p[b + c] * (d[c] - bAlongD) + pd[c])
            }
        }
        return Double(weight) * divergence / Double(pairs)
    }

    private static func hiddenActivations(_ p: HeadParameters, inputs: [Float], rows: Int, applyReLU: Bool = true) -> [Float] {
        precondition(inputs.count == rows * p.inputs, "inputs must be rows x \(p.inputs)")
        var output = repeatedRows(p.hiddenBias, rows: rows)
        multiply(inputs, p.hiddenWeight, into: &output, m: rows, n: p.hidden, k: p.inputs, accumulate: true)
        if applyReLU { for i in output.indices where output[i] < 0 { output[i] = 0 } }
        return output
    }

    private static func logits(_ p: HeadParameters, activations: [Float], rows: Int) -> [Float] {
        var output = repeatedRows(p.outputBias, rows: rows)
        multiply(activations, p.outputWeight, into: &output, m: rows, n: p.classes, k: p.hidden, accumulate: true)
        return output
    }

    private static func repeatedRows(_ row: [Float], rows: Int) -> [Float] {
        var output: [Float] = []
        output.reserveCapacity(row.count * rows)
        for _ in 0..<rows { output.append(contentsOf: row) }
        return output
    }

    static func softmaxRows(_ logits: [Float], classes: Int) -> [Float] {
        var output = logits
        for base in stride(from: 0, to: logits.count, by: classes) {
            let top = logits[base..<(base + classes)].max()!
            var sum: Float = 0
            for c in 0..<classes { output[base + c] = expf(logits[base + c] - top); sum += output[base + c] }
            for c in 0..<classes { output[base + c] /= sum }
        }
        return output
    }

    /// log softmax(logits)[label] computed stably in Double.
    private static func logProbability(_ logits: [Float], row: Int, classes: Int, label: Int) -> Double {
        let base = row * classes
        let values = (0..<classes).map { Double(logits[base + $0]) }
        let top = values.max()!
        let logSum = top + log(values.reduce(0) { $0 + exp($1 - top) })
        return values[label] - logSum
    }

    static func argmax(_ values: [Float], row: Int, classes: Int) -> Int {
        let base = row * classes
        var best = 0
        for c in 1..<classes where values[base + c] > values[base + best] { best = c }
        return best
    }

    private static func columnSums(_ matrix: [Float], rows: Int, columns: Int) -> [Float] {
        var sums = [Float](repeating: 0, count: columns)
        for row in 0..<rows { for c in 0..<columns { sums[c] += matrix[row * columns + c] } }
        return sums
    }

    /// C[m,n] (+)= op(A)[m,k] * op(B)[k,n], row-major, A and B stored untransposed as given.
    private static func multiply(_ a: [Float], _ b: [Float], into c: inout [Float], m: Int, n: Int, k: Int,
                                 transposeA: Bool = false, transposeB: Bool = false, accumulate: Bool = false) {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    LinearAlgebra.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                       a: a.baseAddress!, lda: transposeA ? m : k,
                                       b: b.baseAddress!, ldb: transposeB ? k : n,
                                       beta: accumulate ? 1 : 0, c: c.baseAddress!, ldc: n)
                }
            }
        }
    }
}
