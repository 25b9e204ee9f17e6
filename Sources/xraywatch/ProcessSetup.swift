import Foundation
import NeuralEngine

/// What the program sets for its whole process before any work, kept here in the executable (libraries hold
/// no process-wide state).
enum ProcessSetup {
    /// 1. If OpenBLAS picked kernels that are not the best for this CPU and the user has not chosen a core type,
    ///    sets `OPENBLAS_CORETYPE` and re-executes the program with the same arguments (OpenBLAS reads it only
    ///    when it loads). Carries on when nothing needs doing or the re-exec fails.
    /// 2. Makes OpenBLAS single-threaded: the backbone splits every layer between the cores itself, which
    ///    measured 10-15% less CPU per image than OpenBLAS's threads (they spin while waiting for each other);
    ///    the head's small matrices are faster on one thread too. `OPENBLAS_NUM_THREADS` set by the user wins.
    static func chooseBLASKernelsAndThreads() {
        let environment = ProcessInfo.processInfo.environment
        if environment["OPENBLAS_CORETYPE"] == nil, let wanted = BLASRuntime.betterCoreType() {
            setenv("OPENBLAS_CORETYPE", wanted, 1)
            setenv(BLASRuntime.reexecMarkerVariable, "1", 1)
            execv("/proc/self/exe", CommandLine.unsafeArgv)
            // execv only returns on failure; carry on with the kernels OpenBLAS chose.
        }
        if environment["OPENBLAS_NUM_THREADS"] == nil && environment["OMP_NUM_THREADS"] == nil {
            BLASRuntime.setThreadCount(1)
        }
    }
}

extension ProcessSetup {
    /// Threads for the backbone when the configuration leaves `workers` at 0: the cores this process may run
    /// on (its CPU affinity), fewer when a cgroup v2 CPU quota (`/sys/fs/cgroup/cpu.max`, e.g. a container
    /// limited to 2 CPUs on a 64-core host) allows less.
    static func availableCores() -> Int {
        let affinity = max(1, ProcessInfo.processInfo.activeProcessorCount)
        guard let text = try? String(contentsOfFile: "/sys/fs/cgroup/cpu.max", encoding: .utf8) else { return affinity }
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let quota = Double(fields[0]), let period = Double(fields[1]), period > 0 else { return affinity }
        return max(1, min(affinity, Int((quota / period).rounded(.up))))
    }

    /// The backbone's threads for a configuration: its `workers`, else `availableCores()`.
    static func backboneWorkers(_ configured: Int?) -> Int { configured ?? availableCores() }
}
