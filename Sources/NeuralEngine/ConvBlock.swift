/// One VGG block: 3x3 conv + ReLU layers followed by a 2x2 max-pool, on HWC activations.
///
/// The backbone is five of these. A model may also bring its own copy of the last one (block 5 fine-tuned
/// on X-rays), which then runs on the shared backbone's `block4_pool` output.
public struct ConvBlock: Sendable {
    let convs: [Conv3x3ReLU]
    /// Names of the conv layers, as in the weights file (e.g. `block5_conv1`).
    public let layerNames: [String]
    public let inputChannels: Int
    public var outputChannels: Int { convs.last!.outputChannels }

    /// Reads `<name>.weight` `[out, in, 3, 3]` (OIHW) and `<name>.bias` `[out]` for each layer, checking that
    /// the first takes `inputChannels` channels and each layer feeds the next.
    public init(weights: SafeTensorsFile, layerNames: [String], inputChannels: Int) throws(SafeTensorsError) {
        precondition(!layerNames.isEmpty, "a block needs at least one conv layer")
        var convs: [Conv3x3ReLU] = []
        var channels = inputChannels
        for name in layerNames {
            let weight = try weights.tensor("\(name).weight")
            let bias = try weights.tensor("\(name).bias")
            guard weight.shape.count == 4, weight.shape[1] == channels, weight.shape[2] == 3, weight.shape[3] == 3,
                  bias.shape == [weight.shape[0]] else {
                throw SafeTensorsError(file: weights.path, reason: "\(name) has weight \(weight.shape) and bias \(bias.shape); expected [out, \(channels), 3, 3] and [out]")
            }
            convs.append(Conv3x3ReLU(oihw: weight, bias: bias))
            channels = weight.shape[0]
        }
        self.convs = convs
        self.layerNames = layerNames
        self.inputChannels = inputChannels
    }

    /// The block on one `[height, width, inputChannels]` map; result `[height/2, width/2, outputChannels]`.
    public func forward(_ input: Tensor, workers: Int = 1) -> Tensor {
        precondition(input.shape.count == 3 && input.shape[2] == inputChannels, "block expects HWC input with \(inputChannels) channels, got \(input.shape)")
        let (height, width) = (input.shape[0], input.shape[1])
        let largest = height * width * max(inputChannels, convs.map(\.outputChannels).max()!)
        let ping = UnsafeMutableBufferPointer<Float>.allocate(capacity: largest)
        let pong = UnsafeMutableBufferPointer<Float>.allocate(capacity: largest)
        let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(VGG16Backbone.scratchFloats, workers * minimumScratch(width: width)))
        defer { ping.deallocate(); pong.deallocate(); scratch.deallocate() }
        _ = ping.initialize(from: input.values)
        let (result, _) = apply(ping.baseAddress!, spare: pong.baseAddress!, height: height, width: width, scratch: scratch, workers: workers)
        let count = (height / 2) * (width / 2) * outputChannels
        return Tensor(shape: [height / 2, width / 2, outputChannels], values: Array(UnsafeBufferPointer(start: result, count: count)))
    }

    /// The block on several maps, one image per core.
    public func forward(batch inputs: [Tensor]) -> [Tensor] {
        Parallel.map(inputs.count, workers: VGG16Backbone.defaultWorkerCount) { forward(inputs[$0]) }
    }

    /// Scratch floats one worker needs for maps `width` wide.
    func minimumScratch(width: Int) -> Int { convs.map { $0.minimumScratch(width: width) }.max()! }

    /// Runs every layer and the pool through two buffers; returns where the output is and the other buffer.
    func apply(_ input: UnsafeMutablePointer<Float>, spare: UnsafeMutablePointer<Float>, height: Int, width: Int,
               scratch: UnsafeMutableBufferPointer<Float>, workers: Int) -> (output: UnsafeMutablePointer<Float>, spare: UnsafeMutablePointer<Float>) {
        var (current, other) = (input, spare)
        for conv in convs {
            conv.apply(current, height: height, width: width, into: other, scratch: scratch, workers: workers)
            swap(&current, &other)
        }
        nonisolated(unsafe) let (source, destination) = (current, other)
        let channels = outputChannels
        Parallel.forEachShare(of: height / 2, workers: workers) { rows, _ in
            maxPool2x2(source, height: height, width: width, channels: channels, rows: rows, into: destination)
        }
        return (other, current)
    }
}
