@testable import NeuralEngine
import Testing

/// Which OpenBLAS kernels the program asks for, by CPU flags.
struct KernelChoiceTests {
    @Test func avx512CPUsGetTheSkylakeXKernels() {
        let flags: Set<Substring> = ["avx", "avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"]
        #expect(KernelChoice.best(forCPUFlags: flags) == "SkylakeX")
        #expect(KernelChoice.best(forCPUFlags: ["avx", "avx2", "fma"]) == "Haswell")
        #expect(KernelChoice.best(forCPUFlags: ["sse2"]) == nil)
    }

    @Test func genericFallbacksAreReplacedButGoodKernelsKept() {
        #expect(KernelChoice.isWeaker("Prescott", than: "SkylakeX"))
        #expect(KernelChoice.isWeaker("Haswell", than: "SkylakeX"))
        #expect(!KernelChoice.isWeaker("SkylakeX", than: "SkylakeX"))
        #expect(!KernelChoice.isWeaker("Cooperlake", than: "SkylakeX"))
        #expect(!KernelChoice.isWeaker("Zen", than: "Haswell"))
    }
}
