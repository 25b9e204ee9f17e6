import Foundation
import Testing

/// Where tests find the repository, the built binary, and the read-only `../shared` folder.
public enum Fixtures {
    /// The package root (the folder holding Package.swift).
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// `../shared` next to the checkout, or `$XRAYWATCH_SHARED`; nil when absent (a user's clone).
    public static let shared: URL? = {
        let candidate = ProcessInfo.processInfo.environment["XRAYWATCH_SHARED"].map { URL(fileURLWithPath: $0) }
            ?? packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
        return FileManager.default.fileExists(atPath: candidate.path) ? candidate.standardizedFileURL : nil
    }()

    /// Use as `@Test(.enabled(if: Fixtures.hasShared, Fixtures.sharedMissing))`: such tests read ../shared
    /// (golden data, real X-rays, weights) and are skipped, saying why, where it is absent. CI always has it.
    public static var hasShared: Bool { shared != nil }
    public static let sharedMissing: Comment = "skipped: ../shared (golden data, weights, X-ray data) is not next to this checkout; set XRAYWATCH_SHARED to its path"

    /// A file under `../shared`; only call from tests gated on `hasShared`.
    public static func sharedFile(_ relativePath: String) -> String {
        shared!.appendingPathComponent(relativePath).path
    }

    /// The VGG16 backbone the program ships (models/ in the repository).
    public static var backboneWeights: String {
        packageRoot.appendingPathComponent("models/vgg16_imagenet_notop.safetensors").path
    }

    /// The `xraywatch` executable built next to the running test bundle (`swift build` puts both in one folder).
    public static var binary: String {
        let testExecutable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testExecutable.deletingLastPathComponent().appendingPathComponent("xraywatch").path
    }

    /// Runs the built `xraywatch` with `arguments` in `directory` (default: the package root) to completion.
    public static func runBinary(_ arguments: [String], in directory: URL? = nil,
                                 environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? packageRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read both pipes to the end before waiting, so a chatty child never blocks on a full pipe.
        let stderrData = LockedData()
        let reader = Thread { stderrData.value = errors.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let stdoutData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !stderrData.isSet { Thread.sleep(forTimeInterval: 0.01) }
        return (process.terminationStatus, String(decoding: stdoutData, as: UTF8.self),
                String(decoding: stderrData.value ?? Data(), as: UTF8.self))
    }

    /// A new empty folder under the system temporary directory; the caller removes it.
    public static func makeTemporaryDirectory(_ label: String = "xraywatch-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Data handed from a reader thread to the test, guarded by a lock.
private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Data?
    var value: Data? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
    var isSet: Bool { value != nil }
}
