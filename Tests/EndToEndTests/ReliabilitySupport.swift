import Foundation
import Imaging
import Testing
import TestSupport
import Watcher

/// Helpers for the operational-fault tests (issue 11): waiting for log lines, files with byte names,
/// writers that pause, and a watcher run under a file-size limit.
extension WatchSpool {
    /// Waits until the log holds `text`; false after `timeout` seconds.
    @discardableResult
    func waitForLog(_ text: String, log name: String = "watch.log", timeout: Double = 120) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !log(name).contains(text) {
            guard Date() < deadline else {
                Issue.record("no \"\(text)\" in the log after \(timeout) s:\n\(log(name))")
                return false
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return true
    }

    /// Starts the watcher and waits until it watches the inbox.
    func startWatching(_ arguments: [String] = [], log: String = "watch.log") async throws -> Process {
        let process = try start(arguments, log: log)
        try await waitForLog("watching ", log: log)
        return process
    }

    /// Stops a running watcher with SIGTERM and expects exit status 0.
    func stop(_ process: Process) async throws {
        process.terminate()
        #expect(try await Self.exitStatus(of: process, timeout: 20) == 0, "log:\n\(log())")
    }

    /// Waits for `process` to exit and returns its status; nil (with an issue recorded, and the process
    /// killed) when it does not exit within `timeout` seconds.
    static func exitStatus(of process: Process, timeout: Double) async throws -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        guard !process.isRunning else {
            Issue.record("xraywatch did not exit within \(timeout) s")
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            return nil
        }
        return process.terminationStatus
    }

    /// Writes `bytes` in staging and renames them into the inbox under a name given as raw bytes (which
    /// need not be UTF-8).
    func drop(rawName: [UInt8], _ bytes: [UInt8]) throws {
        let temporary = staging.appendingPathComponent(UUID().uuidString)
        try Data(bytes).write(to: temporary)
        let target = Array(inbox.path.utf8) + [UInt8(ascii: "/")] + rawName + [0]
        let result = target.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { rename(temporary.path, $0.baseAddress!) }
        }
        guard result == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// True when `folder` holds an entry named by exactly these bytes.
    func exists(rawName: [UInt8], in folder: URL) -> Bool {
        let path = Array(folder.path.utf8) + [UInt8(ascii: "/")] + rawName + [0]
        var status = stat()
        return path.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { lstat($0.baseAddress!, &status) == 0 }
        }
    }

    /// Log lines (text format) in the order written.
    func logLines(_ name: String = "watch.log") -> [Substring] {
        log(name).split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// A PNG of random pixels: it hardly compresses, so its outbox copy is about 3 bytes per pixel.
    static func noisePNG(width: Int, height: Int) throws -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let pixels = (0..<(width * height * 3)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return try PNGEncoder.encode(RGBImage(width: width, height: height, pixels: pixels))
    }

    /// Runs `watch --once` through `/bin/sh` with a file-size limit (`ulimit -f`, 512-byte blocks) and
    /// SIGXFSZ ignored, so writes past the limit fail with EFBIG like writes to a full disk.
    func runOnce(fileSizeLimitBlocks blocks: Int, timeout: Double = 300) async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let command = "trap '' XFSZ; ulimit -f \(blocks); exec \"$0\" watch --config \"$1\" --once"
        process.arguments = ["-c", command, Fixtures.binary, configPath]
        let logURL = root.appendingPathComponent("once.log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: logURL)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return try await Self.exitStatus(of: process, timeout: timeout) ?? -1
    }
}
