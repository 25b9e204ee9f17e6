import COpenBLAS
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// OpenBLAS set-up. Debian's OpenBLAS 0.3.21 picks its kernels once, when the library loads, from the CPU
/// model; on CPUs newer than the library (e.g. AMD Zen 4) it falls back to slow generic kernels. The only
/// way to choose is the `OPENBLAS_CORETYPE` variable at load time, so the program sets it and re-executes
/// itself before doing any work.
public enum BLASRuntime {
    /// The kernel OpenBLAS runs, e.g. "SkylakeX".
    public static var kernelName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Limits OpenBLAS's own worker threads, e.g. to leave a core to image decoding.
    public static func setThreadCount(_ count: Int) { openblas_set_num_threads(Int32(max(1, count))) }

    /// Call first thing in `main`. If OpenBLAS fell back to kernels weaker than this CPU supports and the user
    /// has not chosen a core type, sets `OPENBLAS_CORETYPE` and re-executes the program with the same
    /// arguments. Returns normally when nothing needs doing (or re-exec is impossible).
    public static func ensureFastKernels() {
        let environment = ProcessInfo.processInfo.environment
        guard environment["OPENBLAS_CORETYPE"] == nil,
              let wanted = KernelChoice.best(forCPUFlags: cpuFlags()),
              KernelChoice.isWeaker(kernelName, than: wanted) else { return }
        setenv("OPENBLAS_CORETYPE", wanted, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv only returns on failure; carry on with the slower kernels.
    }

    /// The `flags` line of /proc/cpuinfo, as a set.
    static func cpuFlags() -> Set<Substring> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.split(separator: " "))
    }
}

/// Which OpenBLAS x86-64 kernel family a CPU can run, by instruction-set flags.
enum KernelChoice {
    /// OpenBLAS core names from strongest to weakest, with the CPU flags each needs.
    static let ladder: [(name: String, needs: [Substring])] = [
        ("SkylakeX", ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"]),
        ("Haswell", ["avx2", "fma"]),
        ("Sandybridge", ["avx"]),
    ]

    static func best(forCPUFlags flags: Set<Substring>) -> String? {
        ladder.first { $0.needs.allSatisfy(flags.contains) }?.name
    }

    /// True when `current` is not on the ladder at or above `wanted` (generic kernels such as Prescott).
    static func isWeaker(_ current: String, than wanted: String) -> Bool {
        let rank = { (name: String) in ladder.firstIndex { $0.name.lowercased() == name.lowercased() } }
        guard let wantedRank = rank(wanted) else { return false }
        // Zen, Cooperlake and SapphireRapids kernels are as fast as their ladder neighbours: keep them.
        if ["zen", "cooperlake", "sapphirerapids"].contains(current.lowercased()) { return false }
        guard let currentRank = rank(current) else { return true }
        return currentRank > wantedRank
    }
}
