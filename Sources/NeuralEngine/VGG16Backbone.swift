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
    /// Scratch per image in flight: 4 M floats (16 MB). At 224 px that holds 16 rows of unfolded patches per
    /// worker in block 1, and lets one worker do Winograd blocks 4-5 in one pass (weights packed once).
    static let scratchFloats = 4 << 20

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

    /// Several images of one size. With two cores, images go in pairs, one per core (no waiting between
    /// cores at all); a single or odd last image has each layer split between the cores. OpenBLAS itself
    /// is best left single-threaded (`BLASRuntime`). Two full-resolution activations per core at most,
    /// whatever the batch size.
    public func features(batch inputs: [[Float]], height: Int = 224, width: Int = 224) -> [Tensor] {
        precondition(height >= 32 && width >= 32, "the backbone needs at least 32x32 pixels")
        for input in inputs { precondition(input.count == height * width * 3, "input must be \(height)x\(width)x3") }
        let workers = Self.workerCount
        let buffers = (0..<workers).map { _ in WorkingBuffers(for: self, height: height, width: width, workers: workers) }
        defer { buffers.forEach { $0.deallocate() } }

        // Each worker writes only its own image's slot.
        nonisolated(unsafe) let results = UnsafeMutableBufferPointer<Tensor?>.allocate(capacity: inputs.count)
        _ = results.initialize(from: repeatElement(nil, count: inputs.count))
        defer { results.deinitialize().deallocate() }
        let paired = inputs.count / workers * workers
        for start in stride(from: 0, to: paired, by: workers) {
            Parallel.forEachShare(of: workers, workers: workers) { share, worker in
                results[start + share.lowerBound] = forward(inputs[start + share.lowerBound], height: height, width: width,
                                                            buffers: buffers[worker], workers: 1)
            }
        }
        for index in paired..<inputs.count {
            results[index] = forward(inputs[index], height: height, width: width, buffers: buffers[0], workers: workers)
        }
        return results.map { $0! }
    }

    /// One image through all layers, each layer split between `workers` threads.
    private func forward(_ input: [Float], height: Int, width: Int, buffers: WorkingBuffers, workers: Int) -> Tensor {
        _ = buffers.ping.initialize(from: input)
        var (current, spare) = (buffers.ping.baseAddress!, buffers.pong.baseAddress!)
        var (h, w, c) = (height, width, 3)
        for block in layers {
            for conv in block {
                conv.apply(current, height: h, width: w, into: spare, scratch: buffers.scratch, workers: workers)
                swap(&current, &spare)
                c = conv.outputChannels
            }
            nonisolated(unsafe) let (source, destination) = (current, spare)
            let (layerHeight, layerWidth, channels) = (h, w, c)
            Parallel.forEachShare(of: h / 2, workers: workers) { rows, _ in
                maxPool2x2(source, height: layerHeight, width: layerWidth, channels: channels, rows: rows, into: destination)
            }
            swap(&current, &spare)
            (h, w) = (h / 2, w / 2)
        }
        return Tensor(shape: [h, w, c], values: Array(UnsafeBufferPointer(start: current, count: h * w * c)))
    }

    /// Activations (ping-pong) and scratch for one image in flight.
    private struct WorkingBuffers: @unchecked Sendable {
        let ping: UnsafeMutableBufferPointer<Float>
        let pong: UnsafeMutableBufferPointer<Float>
        let scratch: UnsafeMutableBufferPointer<Float>

        /// Scratch enough for `workers` threads on one image, and at least `scratchFloats`.
        init(for backbone: VGG16Backbone, height: Int, width: Int, workers: Int) {
            let convs = backbone.layers.flatMap { $0 }
            let largest = height * width * max(convs.map(\.outputChannels).max()!, 3)
            ping = .allocate(capacity: largest)
            pong = .allocate(capacity: largest)
            scratch = .allocate(capacity: max(VGG16Backbone.scratchFloats,
                                              workers * convs.map { $0.minimumScratch(width: width) }.max()!))
        }

        func deallocate() { ping.deallocate(); pong.deallocate(); scratch.deallocate() }
    }

    /// One worker per core, at most 2: the machines this runs on have 2 cores shared with image decoding.
    static var workerCount: Int { min(2, max(1, ProcessInfo.processInfo.activeProcessorCount)) }
}
