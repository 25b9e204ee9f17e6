/// How the backbone's convolutions are computed.
public enum BackbonePrecision: String, Sendable, Codable, CaseIterable {
    /// Winograd on OpenBLAS in fp32: the reference, on every CPU, and what training uses.
    case fp32
    /// oneDNN with 8-bit activations and weights on the CPU's VNNI dot-product instructions, activation scales
    /// measured per image as it runs. Needs the CPU instructions.
    case int8

    /// Whether this CPU has the instructions the int8 path is built for (AVX-512 VNNI or AVX-VNNI).
    public static var int8Supported: Bool { OneDNNConvChain.int8Supported }
    /// The instruction set oneDNN uses here, for the start-up log.
    public static var oneDNNInstructionSet: String { OneDNNConvChain.instructionSet }
}
