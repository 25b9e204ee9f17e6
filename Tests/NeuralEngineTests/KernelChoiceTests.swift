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

/// The CPU the project is developed on: AMD EPYC Zen 4, as /proc/cpuinfo lists its vector flags.
struct ZenFourKernelChoiceTests {
    let zenFourFlags: Set<Substring> = Set("fpu sse sse2 ssse3 sse4_1 sse4_2 avx avx2 fma f16c bmi1 bmi2 avx512f avx512dq avx512ifma avx512cd avx512bw avx512vl avx512_bf16 avx512vbmi avx512_vbmi2 avx512_vnni".split(separator: " "))

    @Test func zenFourKeepsTheAVX512KernelsOpenBLASDetects() {
        let wanted = KernelChoice.best(forCPUFlags: zenFourFlags)
        #expect(wanted == "SkylakeX")
        // Debian's 0.3.21 reports Zen 4 as Cooperlake: no re-exec needed.
        #expect(!KernelChoice.isWeaker("Cooperlake", than: wanted!))
        // An OpenBLAS that fell back to generic kernels on it is replaced.
        #expect(KernelChoice.isWeaker("Prescott", than: wanted!))
        #expect(KernelChoice.isWeaker("Sandybridge", than: wanted!))
    }
}
