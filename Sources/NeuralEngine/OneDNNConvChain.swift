import COneDNN

/// The VGG16 conv layers on oneDNN (`COneDNN`) as one chain, `int8Layers` in int8 and the rest in fp32: the int8
/// backbone.
final class OneDNNConvChain: @unchecked Sendable {
    // Safe to share: the C side serialises runs with a mutex, and the handle is only freed in deinit.
    private let handle: OpaquePointer
    /// Index of each block's last conv layer (the one followed by the pool).
    static let blockEnds: [Int] = {
        var ends: [Int] = [], count = 0
        for names in VGG16Backbone.layerNames { count += names.count; ends.append(count - 1) }
        return ends
    }()

    static var int8Supported: Bool { conednn_int8_supported() != 0 }
    static var instructionSet: String { String(cString: conednn_isa_description()) }

    /// The conv layers that run in int8: blocks 3 and 4, 72 % of the arithmetic. Blocks 1-2
    /// (the widest activation ranges for their typical values) and block 5 (what the heads and Grad-CAM read)
    /// stay fp32. Measured on the 498 test images against the fp32 backbone: int8 in every layer but the first
    /// changed P by up to 0.083; in blocks 2-5 but block5_conv3 up to 0.064; in blocks 3-4 up to 0.038 (the
    /// accuracy bar is 0.05; README, "Speed").
    static let int8Layers = 4...9

    /// Output channels of each conv layer, from the weights.
    private let outputChannels: [Int]

    /// Reads every conv layer of the VGG16 weights, checking that each is `[out, in, 3, 3]` and feeds the next.
    init(weights: SafeTensorsFile) throws(SafeTensorsError) {
        let names = VGG16Backbone.layerNames.flatMap { $0 }
        var kernels: [Tensor] = [], biases: [Tensor] = []
        var channels = 3
        for name in names {
            let kernel = try weights.tensor("\(name).weight"), bias = try weights.tensor("\(name).bias")
            guard kernel.shape.count == 4, kernel.shape[1] == channels, kernel.shape[2] == 3, kernel.shape[3] == 3,
                  bias.shape == [kernel.shape[0]] else {
                throw SafeTensorsError(file: weights.path, reason: "\(name) has weight \(kernel.shape) and bias \(bias.shape); expected [out, \(channels), 3, 3] and [out] (is this the VGG16 conv base?)")
            }
            kernels.append(kernel)
            biases.append(bias)
            channels = kernel.shape[0]
        }
        let quantized = names.indices.map { Self.int8Layers.contains($0) }
        var message = [CChar](repeating: 0, count: CONEDNN_MESSAGE_CAPACITY)
        let created: OpaquePointer? = withLayers(kernels: kernels, biases: biases, quantized: quantized) { layers in
            conednn_chain_create(layers, Int32(layers.count), &message)
        }
        guard let created else {
            throw SafeTensorsError(file: weights.path, reason: "oneDNN could not build the backbone: \(Self.text(message))")
        }
        handle = created
        outputChannels = kernels.map { $0.shape[0] }
    }

    deinit { conednn_chain_destroy(handle) }

    /// `inputs` (HWC, equal sizes) one after the other through the first `layerCount` layers, each spread over
    /// `threads` threads; per image, each listed layer's output (after its pool, if any), HWC, in
    /// `outputLayers` order.
    func run(_ inputs: [[Float]], height: Int, width: Int, layerCount: Int, outputLayers: [Int], threads: Int) -> [[Tensor]] {
        let shapes = outputLayers.map { outputShape(ofLayer: $0, height: height, width: width) }
        let sizes = shapes.map { $0.reduce(1, *) }
        let batch = inputs.count
        let buffers = sizes.map { UnsafeMutableBufferPointer<Float>.allocate(capacity: batch * $0) }
        defer { buffers.forEach { $0.deallocate() } }
        let input = inputs.flatMap { $0 }
        var message = [CChar](repeating: 0, count: CONEDNN_MESSAGE_CAPACITY)
        let pointers: [UnsafeMutablePointer<Float>?] = buffers.map(\.baseAddress)
        let status = outputLayers.map(Int32.init).withUnsafeBufferPointer { layers in
            conednn_chain_run(handle, Int32(threads), input, Int32(batch), Int32(height), Int32(width), Int32(layerCount),
                              layers.baseAddress, Int32(layers.count), pointers, &message)
        }
        // Shapes are checked by the caller; a failure here is an allocation failure or a bug, not bad input.
        precondition(status == 0, "oneDNN failed: \(Self.text(message))")
        return (0..<batch).map { image in
            shapes.indices.map { output in
                let slice = UnsafeBufferPointer(rebasing: buffers[output][(image * sizes[output])..<((image + 1) * sizes[output])])
                return Tensor(shape: shapes[output], values: Array(slice))
            }
        }
    }

    /// HWC shape of layer `index`'s output (after its pool, if any) for a `height x width` input.
    private func outputShape(ofLayer index: Int, height: Int, width: Int) -> [Int] {
        let halvings = Self.blockEnds.filter { $0 <= index }.count
        return [height >> halvings, width >> halvings, outputChannels[index]]
    }

    /// A NUL-terminated message buffer from the shim as text.
    private static func text(_ message: [CChar]) -> String {
        String(decoding: message.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The C layer descriptions, valid inside `body`.
private func withLayers<Result>(kernels: [Tensor], biases: [Tensor], quantized: [Bool],
                                _ body: ([conednn_layer]) -> Result) -> Result {
    func nest(_ index: Int, _ layers: [conednn_layer]) -> Result {
        if index == kernels.count { return body(layers) }
        return kernels[index].values.withUnsafeBufferPointer { kernel in
            biases[index].values.withUnsafeBufferPointer { bias in
                let layer = conednn_layer(input_channels: Int32(kernels[index].shape[1]), output_channels: Int32(kernels[index].shape[0]),
                                          weights: kernel.baseAddress, bias: bias.baseAddress,
                                          pool_after: OneDNNConvChain.blockEnds.contains(index) ? 1 : 0,
                                          quantized: quantized[index] ? 1 : 0)
                return nest(index + 1, layers + [layer])
            }
        }
    }
    return nest(0, [])
}
