import Foundation
@testable import NeuralEngine
import Testing

/// Both convolution methods against a plain six-loop convolution, on odd sizes, with 1-3 workers
/// (the backbone parity tests cover only 224x224 and whole layers).
struct ConvolutionTests {
    /// Deterministic values in [-1, 1) from an index, so failures reproduce.
    static func values(_ count: Int, seed: Int) -> [Float] {
        (0..<count).map { Float((($0 &+ seed) &* 2_654_435_761) % 2000) / 1000 - 1 }
    }

    /// Direct HWC convolution, zero padding 1, bias, ReLU; weight OIHW.
    static func reference(_ input: [Float], height: Int, width: Int, weight: Tensor, bias: [Float]) -> [Float] {
        let (outputs, inputs) = (weight.shape[0], weight.shape[1])
        var output = [Float](repeating: 0, count: height * width * outputs)
        for y in 0..<height {
            for x in 0..<width {
                for o in 0..<outputs {
                    var sum = Double(bias[o])
                    for ky in 0..<3 {
                        for kx in 0..<3 {
                            let (sy, sx) = (y + ky - 1, x + kx - 1)
                            guard sy >= 0, sy < height, sx >= 0, sx < width else { continue }
                            for i in 0..<inputs {
                                sum += Double(input[(sy * width + sx) * inputs + i]) * Double(weight.values[((o * inputs + i) * 3 + ky) * 3 + kx])
                            }
                        }
                    }
                    output[(y * width + x) * outputs + o] = Float(max(0, sum))
                }
            }
        }
        return output
    }

    /// Runs `conv` on `workers` threads with `scratchPerWorker` floats each (nil: the least it accepts,
    /// which makes Winograd work in many passes of one tile row).
    static func run(_ conv: Conv3x3ReLU, _ input: [Float], height: Int, width: Int, workers: Int, scratchPerWorker: Int? = nil) -> [Float] {
        var output = [Float](repeating: .nan, count: height * width * conv.outputChannels)
        let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: workers * (scratchPerWorker ?? conv.minimumScratch(width: width)))
        defer { scratch.deallocate() }
        input.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                conv.apply(input.baseAddress!, height: height, width: width, into: output.baseAddress!, scratch: scratch, workers: workers)
            }
        }
        return output
    }

    static func relativeError(_ ours: [Float], _ reference: [Float]) -> Float {
        Tensor(shape: [ours.count], values: ours).relativeError(to: Tensor(shape: [reference.count], values: reference))
    }

    let height = 25, width = 23, outputs = 8

    /// A layer with `inputs` channels, its input, and the direct convolution's result on it.
    func layer(inputs: Int) -> (conv: Conv3x3ReLU, input: [Float], expected: [Float]) {
        let weight = Tensor(shape: [outputs, inputs, 3, 3], values: Self.values(outputs * inputs * 9, seed: 7))
        let bias = Self.values(outputs, seed: 3)
        let input = Self.values(height * width * inputs, seed: 11)
        return (Conv3x3ReLU(oihw: weight, bias: Tensor(shape: [outputs], values: bias)), input,
                Self.reference(input, height: height, width: width, weight: weight, bias: bias))
    }

    @Test("Winograd matches a direct convolution on odd sizes", arguments: [(1, nil), (2, nil), (3, nil), (2, 1 << 20)])
    func winogradMatchesDirectConvolution(workers: Int, scratchPerWorker: Int?) {
        let (conv, input, expected) = layer(inputs: 128)
        guard case .winograd = conv.method else { Issue.record("128 input channels should take Winograd"); return }
        let ours = Self.run(conv, input, height: height, width: width, workers: workers, scratchPerWorker: scratchPerWorker)
        let error = Self.relativeError(ours, expected)
        #expect(error < 1e-5, "relative error \(error)")
    }

    @Test("im2col matches a direct convolution on odd sizes", arguments: [1, 2, 3])
    func unfoldedMatchesDirectConvolution(workers: Int) {
        let (conv, input, expected) = layer(inputs: 16)
        guard case .unfolded = conv.method else { Issue.record("16 input channels should take im2col"); return }
        let error = Self.relativeError(Self.run(conv, input, height: height, width: width, workers: workers), expected)
        #expect(error < 1e-5, "relative error \(error)")
    }

    @Test func sharesCoverEveryIndexOnce() {
        for count in [0, 1, 2, 7, 14, 16, 28, 224, 225] {
            for workers in 1...3 {
                let seen = RangeCollector()
                Parallel.forEachShare(of: count, workers: workers) { range, _ in seen.append(range) }
                let ranges = seen.ranges.sorted { $0.lowerBound < $1.lowerBound }
                #expect(ranges.flatMap { Array($0) } == Array(0..<count), "count \(count), workers \(workers)")
                #expect(ranges.count <= workers)
            }
        }
    }
}

/// Collects ranges from concurrent workers.
private final class RangeCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [Range<Int>] = []
    var ranges: [Range<Int>] { lock.withLock { collected } }
    func append(_ range: Range<Int>) { lock.withLock { collected.append(range) } }
}
