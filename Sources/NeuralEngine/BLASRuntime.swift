import COpenBLAS
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// OpenBLAS facts and choices. Debian's OpenBLAS 0.3.21 picks its kernels once, when the library loads, from
/// the CPU model; on CPUs newer than the library (e.g. AMD Zen 4) it falls back to slow generic kernels. The
/// only way to choose is the `OPENBLAS_CORETYPE` variable at load time, so the executable sets it and
/// re-executes itself before doing any work (`ProcessSetup` in the executable).
public enum BLASRuntime {
    /// The kernel OpenBLAS runs, e.g. "SkylakeX".
    public static var kernelName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Limits OpenBLAS's own worker threads.
    public static func setThreadCount(_ count: Int) { openblas_set_num_threads(Int32(max(1, count))) }

    /// Marks a process the executable re-executed with `betterCoreType()`, so logs can tell its choice from the user's.
    static let reexecMarker = "XRAYWATCH_BLAS_CORETYPE_CHOSEN"

    /// For logs: the kernel, who chose it, and the thread count, e.g.
    /// "OpenBLAS 0.3.21 kernel Haswell (chosen by xraywatch for this CPU), 1 thread".
    public static var kernelDescription: String {
        let environment = ProcessInfo.processInfo.environment
        let origin = environment[reexecMarker] != nil ? "chosen by xraywatch for this CPU"
            : environment["OPENBLAS_CORETYPE"] != nil ? "OPENBLAS_CORETYPE from the environment"
            : "detected by OpenBLAS"
        let threads = threadCount
        return "OpenBLAS kernel \(kernelName) (\(origin)), \(threads) thread\(threads == 1 ? "" : "s")"
    }

    /// The OpenBLAS core type this CPU should run when the one OpenBLAS picked is weaker (`KernelChoice`),
    /// else nil. Only a decision: setting `OPENBLAS_CORETYPE` and re-executing is the program's business
    /// (the executable does it first thing in `main`; a library never re-executes its process).
    public static func betterCoreType() -> String? {
        guard let wanted = KernelChoice.best(forCPUFlags: cpuFlags()), KernelChoice.isWeaker(kernelName, than: wanted) else { return nil }
        return wanted
    }

    /// The variable the executable sets when it re-executes itself with `betterCoreType()`, so logs can tell
    /// its choice from the user's.
    public static let reexecMarkerVariable = reexecMarker

    /// The `flags` line of /proc/cpuinfo, as a set.
    static func cpuFlags() -> Set<Substring> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.split(separator: " "))
    }
}

/// Which OpenBLAS x86-64 kernel family a CPU can run, by instruction-set flags.
///
/// Measured on AMD EPYC Zen 4 (2 cores, which run AVX-512 at half width): Debian's 0.3.21 detects it as
/// "Cooperlake" (the SkylakeX SGEMM kernels); the Haswell (AVX2) kernels were no faster on the backbone's
/// GEMMs, 1-4% slower in CPU time over three interleaved rounds (im2col path 428 vs 416 ms, Winograd path
/// 346 vs 336 ms per image, medians), so the ladder keeps AVX-512 kernels wherever the CPU has them.
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
