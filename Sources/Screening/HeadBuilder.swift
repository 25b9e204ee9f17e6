import NeuralEngine

/// Turns a manifest's layer list and a weights file into a `Head`, checking every shape.
enum HeadBuilder {
    static func build(manifest: ModelManifest, weights: SafeTensorsFile, manifestPath: String) throws(ModelLoadError) -> Head {
        let size = manifest.preprocessing.size
        guard size % 32 == 0, size >= 32 else {
            throw ModelLoadError(file: manifestPath, reason: "preprocessing.size \(size) must be a multiple of 32")
        }
        // Shape of the activations flowing through the head, starting at block5_pool.
        var shape = [size / 32, size / 32, 512]
        var layers: [HeadLayer] = []
        for (index, spec) in manifest.head.enumerated() {
            let at = "head[\(index)] (\(spec.type.rawValue))"
            switch spec.type {
            case .averagePool:
                guard let pool = spec.pool, pool >= 1, shape.count == 3, shape[0] >= pool, shape[1] >= pool else {
                    throw ModelLoadError(file: manifestPath, reason: "\(at): needs a pool size that fits \(shape)")
                }
                shape = [shape[0] / pool, shape[1] / pool, shape[2]]
                layers.append(.averagePool(size: pool))
            case .flatten:
                shape = [shape.reduce(1, *)]
                layers.append(.flatten)
            case .dense:
                guard shape.count == 1, let name = spec.name, let units = spec.units, units > 0 else {
                    throw ModelLoadError(file: manifestPath, reason: "\(at): needs name and units, after flatten")
                }
                let weight: Tensor, bias: Tensor
                do {
                    weight = try weights.tensor("\(name).weight")
                    bias = try weights.tensor("\(name).bias")
                } catch {
                    throw ModelLoadError(file: weights.path, reason: error.reason)
                }
                guard weight.shape == [shape[0], units], bias.shape == [units] else {
                    throw ModelLoadError(file: weights.path, reason: "\(name).weight is \(weight.shape) and \(name).bias \(bias.shape); \(at) expects [\(shape[0]), \(units)] and [\(units)]")
                }
                shape = [units]
                layers.append(.dense(weight: weight, bias: bias))
            case .relu:
                layers.append(.relu)
            case .dropout:
                layers.append(.dropout(rate: Float(spec.rate ?? 0)))
            case .softmax:
                layers.append(.softmax)
            }
        }
        guard shape == [manifest.labels.count] else {
            throw ModelLoadError(file: manifestPath, reason: "head ends in shape \(shape), but there are \(manifest.labels.count) labels")
        }
        return Head(layers: layers)
    }
}
