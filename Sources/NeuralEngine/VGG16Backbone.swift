import Foundation

/// The VGG16 convolutional base (ImageNet weights, Keras `include_top=False`): 13 conv 3x3 + ReLU layers in
/// five blocks, each block ending in a 2x2 max-pool. Input HWC, 3 channels (BGR for the caffe
/// preprocessing the weights expect); output `block5_pool`, `[H/32, W/32, 512]` HWC, or `block4_pool`.
public final class VGG16Backbone: Sendable {
    /// Conv layer names per block, as in the weights file.
    public static let layerNames: [[String]] = [
        ["block1_conv1", "block1_conv2"],
        ["block2_conv1", "block2_conv2"],
        ["block3_conv1", "block3_conv2", "block3_conv3"],
        ["block4_conv1", "block4_conv2", "block4_conv3"],
        ["block5_conv1", "block5_conv2", "block5_conv3"],
    ]
    /// Scratch per image in flight: 4 M floats (16 MB). At 224 px that holds 16 rows of unfolded patches per
    /// worker in block 1, and lets one worker do Winograd blocks 4-5 in one pass (weights packed once).
    static let scratchFloats = 4 << 20

    /// All five blocks in fp32; only block 5 (for `lastBlock`) with an int8 backbone.
    private let blocks: [ConvBlock]
    /// The int8 chain when `precision` is `.int8`.
    private let quantized: OneDNNConvChain?
    /// How this backbone computes its convolutions.
    public let precision: BackbonePrecision
    /// Threads it runs on: one image per thread in fp32 (an odd last image split between them), every layer
    /// spread over them in int8.
    public let workers: Int
    /// For the start-up log, e.g. "int8 on oneDNN (AVX-512 with VNNI)".
    public var engineDescription: String {
        precision == .int8 ? "int8 on oneDNN (\(BackbonePrecision.oneDNNInstructionSet))" : "fp32 Winograd on OpenBLAS"
    }
    public var outputChannels: Int { blocks.last!.outputChannels }
    /// Block 5 with the ImageNet weights: turns `block4_pool` into `block5_pool`.
    public var lastBlock: ConvBlock { blocks.last! }

    /// Where the backbone stops.
    public enum Output: String, Sendable, Codable, CaseIterable {
        /// After block 4: `[H/16, W/16, 512]`, the input of a fine-tuned block 5.
        case block4Pool = "block4_pool"
        /// After block 5: `[H/32, W/32, 512]`, what a frozen-backbone head reads.
        case block5Pool = "block5_pool"

        /// Blocks run to get here.
        var blockCount: Int { self == .block4Pool ? 4 : 5 }
        /// Downscaling factor from the input size.
        public var stride: Int { self == .block4Pool ? 16 : 32 }
    }

    /// `precision` `.int8` needs a CPU with VNNI (`BackbonePrecision.int8Supported`); an int8 backbone keeps
    /// only block 5 in fp32 blocks (`lastBlock`, for models with their own block 5). `workers`: threads to
    /// use (default: the cores this process may run on; the program passes its cgroup quota or the
    /// configuration's `workers`).
    public init(weights: SafeTensorsFile, precision: BackbonePrecision = .fp32,
                workers: Int = VGG16Backbone.defaultWorkerCount) throws(SafeTensorsError) {
        precondition(workers >= 1, "the backbone needs at least one worker")
        self.workers = workers
        var blocks: [ConvBlock] = []
        var channels = precision == .int8 ? 512 : 3
        for names in precision == .int8 ? [Self.layerNames.last!] : Self.layerNames {
            do {
                let block = try ConvBlock(weights: weights, layerNames: names, inputChannels: channels)
                blocks.append(block)
                channels = block.outputChannels
            } catch {
                throw SafeTensorsError(file: error.file, reason: error.reason + " (is this the VGG16 conv base?)")
            }
        }
        self.blocks = blocks
        self.precision = precision
        quantized = precision == .int8 ? try OneDNNConvChain(weights: weights) : nil
    }

    /// One image: `input` is `height x width x 3` HWC; result `[height/32, width/32, 512]`.
    public func features(_ input: [Float], height: Int = 224, width: Int = 224, output: Output = .block5Pool) -> Tensor {
        features(batch: [input], height: height, width: width, output: output)[0]
    }

    /// Several images of one size. In fp32, images go side by side, one per worker (no waiting between
    /// threads at all); a single or odd last image has each layer split between the workers. OpenBLAS itself
    /// is best left single-threaded (`BLASRuntime`). Two full-resolution activations per worker at most,
    /// whatever the batch size.
    public func features(batch inputs: [[Float]], height: Int = 224, width: Int = 224, output: Output = .block5Pool) -> [Tensor] {
        features(batch: inputs, height: height, width: width, output: output, taps: []).map(\.output)
    }

    /// The output of each image and, on the way, the pooled outputs of the blocks in `taps` (0-based block
    /// indices, e.g. `[1, 2, 3]` for `block2_pool`...`block4_pool`), in `taps` order. The lung segmenter's
    /// decoder reads these, so segmentation costs no extra backbone pass.
    public func features(batch inputs: [[Float]], height: Int = 224, width: Int = 224, output: Output,
                         taps: [Int]) -> [(output: Tensor, taps: [Tensor])] {
        precondition(height >= 32 && width >= 32, "the backbone needs at least 32x32 pixels")
        precondition(taps.allSatisfy { (0..<output.blockCount).contains($0) }, "taps must name blocks the backbone runs")
        for input in inputs { precondition(input.count == height * width * 3, "input must be \(height)x\(width)x3") }
        if let quantized {
            return Self.features(of: inputs, on: quantized, height: height, width: width, output: output, taps: taps, threads: workers)
        }
        let blocks = Array(self.blocks.prefix(output.blockCount))
        // Images side by side, one per worker (no more than there are images: each holds two full-size
        // activations and scratch); a lone or last odd image has its layers split between all the workers.
        let sideBySide = min(workers, inputs.count)
        let buffers = (0..<max(1, sideBySide)).map { index in
            WorkingBuffers(for: blocks, height: height, width: width, workers: index == 0 ? workers : 1)
        }
        defer { buffers.forEach { $0.deallocate() } }

        // Each worker writes only its own image's slot.
        let results = Slots<(output: Tensor, taps: [Tensor])>(count: inputs.count)
        let paired = sideBySide > 1 ? inputs.count / sideBySide * sideBySide : 0
        for start in stride(from: 0, to: paired, by: max(1, sideBySide)) {
            Parallel.forEachShare(of: sideBySide, workers: sideBySide) { share, worker in
                results[start + share.lowerBound] = forward(inputs[start + share.lowerBound], through: blocks, taps: taps,
                                                            height: height, width: width, buffers: buffers[worker], workers: 1)
            }
        }
        for index in paired..<inputs.count {
            results[index] = forward(inputs[index], through: blocks, taps: taps, height: height, width: width, buffers: buffers[0], workers: workers)
        }
        return results.values
    }

    /// Images on the oneDNN chain one at a time, each layer spread over the cores by oneDNN. (One image per
    /// core on one thread each measured 64 ms/image against 54 ms this way, and held two sets of buffers.)
    private static func features(of inputs: [[Float]], on chain: OneDNNConvChain, height: Int, width: Int, output: Output,
                                 taps: [Int], threads: Int) -> [(output: Tensor, taps: [Tensor])] {
        let ends = OneDNNConvChain.blockEnds
        let lastLayer = ends[output.blockCount - 1]
        let layers = Array(Set(taps.map { ends[$0] } + [lastLayer])).sorted()
        return chain.run(inputs, height: height, width: width, layerCount: lastLayer + 1, outputLayers: layers, threads: threads)
            .map { maps in
                func map(afterLayer layer: Int) -> Tensor { maps[layers.firstIndex(of: layer)!] }
                return (map(afterLayer: lastLayer), taps.map { map(afterLayer: ends[$0]) })
            }
    }

    /// One image through `blocks`, each layer split between `workers` threads; copies out the tapped blocks' outputs.
    private func forward(_ input: [Float], through blocks: [ConvBlock], taps: [Int], height: Int, width: Int,
                         buffers: WorkingBuffers, workers: Int) -> (output: Tensor, taps: [Tensor]) {
        _ = buffers.ping.initialize(from: input)
        var (current, spare) = (buffers.ping.baseAddress!, buffers.pong.baseAddress!)
        var (h, w) = (height, width)
        var tapped: [Int: Tensor] = [:]
        for (index, block) in blocks.enumerated() {
            (current, spare) = block.apply(current, spare: spare, height: h, width: w, scratch: buffers.scratch, workers: workers)
            (h, w) = (h / 2, w / 2)
            if taps.contains(index) { tapped[index] = Self.copy(current, height: h, width: w, channels: block.outputChannels) }
        }
        return (Self.copy(current, height: h, width: w, channels: blocks.last!.outputChannels), taps.map { tapped[$0]! })
    }

    private static func copy(_ values: UnsafeMutablePointer<Float>, height: Int, width: Int, channels: Int) -> Tensor {
        Tensor(shape: [height, width, channels], values: Array(UnsafeBufferPointer(start: values, count: height * width * channels)))
    }

    /// Activations (ping-pong) and scratch for one image in flight.
    private struct WorkingBuffers: @unchecked Sendable {
        let ping: UnsafeMutableBufferPointer<Float>
        let pong: UnsafeMutableBufferPointer<Float>
        let scratch: UnsafeMutableBufferPointer<Float>

        /// Scratch enough for `workers` threads on one image, and at least `scratchFloats`.
        init(for blocks: [ConvBlock], height: Int, width: Int, workers: Int) {
            let largest = height * width * max(blocks.map(\.outputChannels).max()!, 3)
            ping = .allocate(capacity: largest)
            pong = .allocate(capacity: largest)
            scratch = .allocate(capacity: max(VGG16Backbone.scratchFloats,
                                              workers * blocks.map { $0.minimumScratch(width: width) }.max()!))
        }

        func deallocate() { ping.deallocate(); pong.deallocate(); scratch.deallocate() }
    }

    /// The cores this process may run on (its CPU affinity), for callers that do not say.
    public static var defaultWorkerCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
