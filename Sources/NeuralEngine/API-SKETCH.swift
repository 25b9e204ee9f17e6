// PUBLIC API SKETCH of the NeuralEngine target (being implemented now; names are stable).

/// A dense float32 array with a shape (row-major, last index fastest). Feature maps are HWC.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var values: [Float]
    public init(shape: [Int], values: [Float]) { precondition(shape.reduce(1, *) == values.count); self.shape = shape; self.values = values }
    public init(zeros shape: [Int]) { self.init(shape: shape, values: [Float](repeating: 0, count: shape.reduce(1, *))) }
}

public struct SafeTensorsError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let reason: String
    public var description: String { "\(file): \(reason)" }
}

/// A read-only, memory-mapped safetensors file (F32 and U8 tensors).
public final class SafeTensorsFile: @unchecked Sendable {
    public init(contentsOf path: String) throws(SafeTensorsError) { fatalError("sketch") }
    public var path: String { fatalError("sketch") }
    public var names: [String] { fatalError("sketch") }
    public var metadata: [String: String] { fatalError("sketch") }
    /// Copies a tensor out (U8 tensors are widened to Float).
    public func tensor(_ name: String) throws(SafeTensorsError) -> Tensor { fatalError("sketch") }
    /// Writes tensors (F32) with optional string metadata, atomically (temporary file + rename).
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to path: String) throws(SafeTensorsError) { fatalError("sketch") }
}

/// The VGG16 convolutional base (13 conv + 5 max-pool), input HWC BGR-caffe or RGB/255, output block5_pool HWC.
public final class VGG16Backbone: Sendable {
    public init(weights: SafeTensorsFile) throws(SafeTensorsError) { fatalError("sketch") }
    /// One image: `input` is `height x width x 3` HWC; result `[height/32, width/32, 512]`.
    public func features(_ input: [Float], height: Int = 224, width: Int = 224) -> Tensor { fatalError("sketch") }
    /// Several images of the same size.
    public func features(batch inputs: [[Float]], height: Int = 224, width: Int = 224) -> [Tensor] { fatalError("sketch") }
}

/// One layer of a classifier head, in Keras semantics.
public enum HeadLayer: Sendable {
    case averagePool(size: Int)               // pool = stride = size, padding "valid"
    case flatten                               // H, W, C order
    case dense(weight: Tensor, bias: Tensor)   // weight [in, out] (Keras kernel layout), bias [out]
    case relu
    case dropout(rate: Float)                  // identity at inference
    case softmax
}

/// A classifier head: a stack of `HeadLayer`s applied to backbone features.
public struct Head: Sendable {
    public var layers: [HeadLayer]
    public init(layers: [HeadLayer]) { self.layers = layers }
    /// Class probabilities (or whatever the last layer gives) for one feature map.
    public func forward(_ features: Tensor) -> Tensor { fatalError("sketch") }
}

/// Matrix product C = alpha * op(A) * op(B) + beta * C on row-major matrices (cblas_sgemm).
public enum LinearAlgebra {
    public static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                            alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) { fatalError("sketch") }
}

/// OpenBLAS set-up: picking fast kernels on CPUs that Debian's OpenBLAS does not recognise.
public enum BLASRuntime {
    /// Call first thing in `main`: may set OPENBLAS_CORETYPE and re-exec the process.
    public static func ensureFastKernels() { fatalError("sketch") }
    /// The kernel OpenBLAS runs, e.g. "SkylakeX".
    public static var kernelName: String { fatalError("sketch") }
    public static var threadCount: Int { fatalError("sketch") }
    public static func setThreadCount(_ n: Int) { fatalError("sketch") }
}
