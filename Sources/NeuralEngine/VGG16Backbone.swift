import Dispatch
import Foundation

/// The VGG16 convolutional base (ImageNet weights, Keras `include_top=False`): 13 conv 3x3 + ReLU layers in
/// five blocks, each block ending in a 2x2 max-pool. Input HWC, 3 channels (BGR for the caffe
/// preprocessing the weights expect); output `block5_pool`, `[H/32, W/32, 512]` HWC.
public final class VGG16Backbone: Sendable {
    /// Conv layer names per block, as in the weights file.
    static let blocks: [[String]] = [
        ["block1_conv1", "block1_conv2"],
        ["block2_conv1", "block2_conv2"],
        ["block3_conv1", "block3_conv2", "block3_conv3"],
        ["block4_conv1", "block4_conv2", "block4_conv3"],
        ["block5_conv1", "block5_conv2", "block5_conv3"],
    ]
    /// Scratch for unfolded patches: 2 M floats (8 MB), enough for 16 rows at 224 px in block 1.
    static let scratchFloats = 2 << 20

    private let layers: [[Conv3x3ReLU]]
    public var outputChannels: Int { layers.last!.last!.outputChannels }

    public init(weights: SafeTensorsFile) throws(SafeTensorsError) {
        var layers: [[Conv3x3ReLU]] = []
        var channels = 3
        for block in Self.blocks {
            var convs: [Conv3x3ReLU] = []
            for name in block {
                let weight = try weights.tensor("\(name).weight")
                let bias = try weights.tensor("\(name).bias")
                guard weight.shape.count == 4, weight.shape[1] == channels, weight.shape[2] == 3, weight.shape[3] == 3,
                      bias.shape == [weight.shape[0]] else {
                    throw SafeTensorsError(file: weights.path, reason: "\(name) has weight \(weight.shape) and bias \(bias.shape); expected [out, \(channels), 3, 3] and [out] (is this the VGG16 conv base?)")
                }
                convs.append(Conv3x3ReLU(oihw: weight, bias: bias))
                channels = weight.shape[0]
            }
            layers.append(convs)
        }
        self.layers = layers
    }

    /// One image: `input` is `height x width x 3` HWC; result `[height/32, width/32, 512]`.
    public func features(_ input: [Float], height: Int = 224, width: Int = 224) -> Tensor {
        features(batch: [input], height: height, width: width)[0]
    }

    /// Several images of one size, sharing working buffers. Each layer's output rows are split between
    /// `workers` threads (one per core); OpenBLAS itself is best left single-threaded (`BLASRuntime`).
    /// Only two full-resolution activations exist at a time, whatever the batch size.
    public func features(batch inputs: [[Float]], height: Int = 224, width: Int = 224) -> [Tensor] {
        precondition(height >= 32 && width >= 32, "the backbone needs at least 32x32 pixels")
        let convs = layers.flatMap { $0 }
        let widest = convs.map(\.outputChannels).max()!
        let largest = height * width * max(widest, 3)
        let workers = Self.workerCount
        let scratchPerWorker = convs.map { $0.minimumScratch(width: width) }.max()!
        let ping = UnsafeMutableBufferPointer<Float>.allocate(capacity: largest)
        let pong = UnsafeMutableBufferPointer<Float>.allocate(capacity: largest)
        let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: workers * max(Self.scratchFloats, scratchPerWorker))
        defer { ping.deallocate(); pong.deallocate(); scratch.deallocate() }
        let scratches = (0..<workers).map { worker in
            let size = scratch.count / workers
            return UnsafeMutableBufferPointer(rebasing: scratch[(worker * size)..<((worker + 1) * size)])
        }

        return inputs.map { input in
            precondition(input.count == height * width * 3, "input must be \(height)x\(width)x3")
            _ = ping.initialize(from: input)
            var (current, spare) = (ping.baseAddress!, pong.baseAddress!)
            var (h, w, c) = (height, width, 3)
            for block in layers {
                for conv in block {
                    // Each worker writes its own output rows; the input is only read.
                    nonisolated(unsafe) let (source, destination) = (current, spare)
                    let (layerHeight, layerWidth) = (h, w)
                    Self.splitRows(h, workers: workers) { rows, worker in
                        conv.apply(source, height: layerHeight, width: layerWidth, rows: rows,
                                   into: destination, scratch: scratches[worker])
                    }
                    swap(&current, &spare)
                    c = conv.outputChannels
                }
                nonisolated(unsafe) let (source, destination) = (current, spare)
                let (layerHeight, layerWidth, channels) = (h, w, c)
                Self.splitRows(h / 2, workers: workers) { rows, _ in
                    maxPool2x2(source, height: layerHeight, width: layerWidth, channels: channels, rows: rows, into: destination)
                }
                swap(&current, &spare)
                (h, w) = (h / 2, w / 2)
            }
            return Tensor(shape: [h, w, c], values: Array(UnsafeBufferPointer(start: current, count: h * w * c)))
        }
    }

    /// One worker per core, at most 2: the machines this runs on have 2 cores shared with image decoding.
    static var workerCount: Int { min(2, max(1, ProcessInfo.processInfo.activeProcessorCount)) }

    /// Runs `body` on `workers` threads with contiguous, even-aligned row ranges covering `0..<rows`
    /// (even cuts keep Winograd's 2x2 tiles whole: no row computed twice), and returns when all are done.
    static func splitRows(_ rows: Int, workers: Int, _ body: (Range<Int>, Int) -> Void) {
        let share = ((rows + workers - 1) / workers + 1) / 2 * 2
        let ranges = (0..<workers).map { min(rows, $0 * share)..<min(rows, ($0 + 1) * share) }.filter { !$0.isEmpty }
        if ranges.count == 1 { return body(ranges[0], 0) }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: ranges.count) { worker in body(ranges[worker], worker) }
        }
    }
}
