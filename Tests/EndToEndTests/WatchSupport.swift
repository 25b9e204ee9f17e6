import CSVFormat
import Foundation
import Imaging
import Testing
import TestSupport
import Watcher

/// A temporary spool (inbox, outbox, archive, rejected, ledger) with a config pointing at the repository's
/// models, and helpers to run the built `xraywatch watch` against it.
final class WatchSpool {
    let root: URL
    let configPath: String
    var inbox: URL { root.appendingPathComponent("inbox") }
    var outbox: URL { root.appendingPathComponent("outbox") }
    var archive: URL { root.appendingPathComponent("archive") }
    var rejected: URL { root.appendingPathComponent("rejected") }
    var ledger: URL { root.appendingPathComponent("ledger.csv") }
    /// Outside the inbox, on the same filesystem: files are written here, then renamed in.
    var staging: URL { root.appendingPathComponent("staging") }

    /// The models the tests classify with: the shipped ones, or `$XRAYWATCH_TEST_MODELS` (a folder with
    /// the same file names) while they are being trained.
    static let modelsFolder: URL = ProcessInfo.processInfo.environment["XRAYWATCH_TEST_MODELS"].map { URL(fileURLWithPath: $0) }
        ?? Fixtures.packageRoot.appendingPathComponent("models")
    static let modelFiles = ["covid_normal.json", "covid_pneumo.json"]
    static var modelsPresent: Bool {
        modelFiles.allSatisfy { FileManager.default.fileExists(atPath: modelsFolder.appendingPathComponent($0).path) }
    }
    static let modelsMissing: Comment = "skipped: models/covid_normal.json and models/covid_pneumo.json are not in the repository yet"

    init(settle: Double = 0.3, extra: [String: String] = [:]) throws {
        root = try Fixtures.makeTemporaryDirectory("watch-e2e")
        configPath = root.appendingPathComponent("config.json").path
        var entries: [String: String] = [
            "inbox": "\"inbox\"", "outbox": "\"outbox\"", "archive": "\"archive\"", "rejected": "\"rejected\"",
            "ledger": "\"ledger.csv\"", "settle_seconds": "\(settle)", "batch_size": "8",
            "backbone": "\"\(Self.modelsFolder.appendingPathComponent("vgg16_imagenet_notop.safetensors").path)\"",
            "models": "[" + Self.modelFiles.map { "\"\(Self.modelsFolder.appendingPathComponent($0).path)\"" }.joined(separator: ", ") + "]",
        ]
        if !FileManager.default.fileExists(atPath: Self.modelsFolder.appendingPathComponent("vgg16_imagenet_notop.safetensors").path) {
            entries["backbone"] = "\"\(Fixtures.backboneWeights)\""
        }
        for (key, value) in extra { entries[key] = value }
        for folder in [inbox, staging] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        let text = "{" + entries.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
        try Data(text.utf8).write(to: URL(fileURLWithPath: configPath))
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    // MARK: Running the watcher

    /// Starts `xraywatch watch --config <spool config>` plus `arguments`; stderr goes to a log file.
    func start(_ arguments: [String] = [], log: String = "watch.log") throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fixtures.binary)
        process.arguments = ["watch", "--config", configPath] + arguments
        let logURL = root.appendingPathComponent(log)
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: logURL)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs `watch --once` to completion and returns its exit status.
    @discardableResult
    func runOnce(_ arguments: [String] = [], timeout: Double = 300, log: String = "once.log") async throws -> Int32 {
        let process = try start(["--once"] + arguments, log: log)
        try await Self.waitForExit(process, timeout: timeout)
        return process.terminationStatus
    }

    static func waitForExit(_ process: Process, timeout: Double) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            guard Date() < deadline else {
                process.interrupt()
                Issue.record("xraywatch did not exit within \(timeout) s")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func log(_ name: String = "watch.log") -> String {
        (try? String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    // MARK: Files

    /// A valid PNG whose pixels depend on `seed` (so every seed has its own content hash).
    static func png(seed: Int, width: Int = 96, height: Int = 96) throws -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let value = UInt8(truncatingIfNeeded: (x * 3 + y * 5 + seed * 7) ^ (seed >> 3))
                pixels[(y * width + x) * 3] = value
                pixels[(y * width + x) * 3 + 1] = value &+ UInt8(truncatingIfNeeded: seed)
                pixels[(y * width + x) * 3 + 2] = value
            }
        }
        return try PNGEncoder.encode(RGBImage(width: width, height: height, pixels: pixels))
    }

    /// Writes `bytes` outside the inbox and renames it in, as a well-behaved uploader does.
    func drop(_ name: String, _ bytes: [UInt8]) throws {
        let temporary = staging.appendingPathComponent(UUID().uuidString)
        try Data(bytes).write(to: temporary)
        guard rename(temporary.path, inbox.appendingPathComponent(name).path) == 0 else {
            throw CocoaError(.fileWriteUnknown)
        }
    }

    /// A real radiograph bundled in the repository's examples/ folder (JPEG).
    static func exampleJPEG() throws -> (name: String, bytes: [UInt8]) {
        let folder = Fixtures.packageRoot.appendingPathComponent("examples")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().first { $0.hasSuffix(".jpeg") || $0.hasSuffix(".jpg") },
                                "no example JPEG in examples/")
        return (name, Array(try Data(contentsOf: folder.appendingPathComponent(name))))
    }

    func contents(of folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    /// Inbox entries other than the (hidden) work folder.
    /// Inputs still in the inbox (sub-folders are not inputs: the watcher leaves them alone).
    var inboxFiles: [String] {
        contents(of: inbox).filter { name in
            !name.hasPrefix(".") && (try? FileManager.default.attributesOfItem(atPath: inbox.appendingPathComponent(name).path)[.type] as? FileAttributeType) != .typeDirectory
        }
    }

    /// Claimed items still in the work folder (item folders inside instance folders).
    var workItems: [String] {
        let work = inbox.appendingPathComponent(".xraywatch-work")
        return contents(of: work).flatMap { instance in
            contents(of: work.appendingPathComponent(instance)).filter { !$0.hasPrefix(".") }.map { instance + "/" + $0 }
        }
    }

    // MARK: Ledger

    /// Every record of the ledger (header first). A torn or malformed line fails the test.
    func ledgerRecords() throws -> [[String]] {
        guard let data = try? Data(contentsOf: ledger) else { return [] }
        let parsed = CSV.parse(Array(data))
        #expect(parsed.consumed == data.count, "the ledger ends in a torn line")
        return parsed.records
    }

    func ledgerRows() throws -> [LedgerRow] {
        let records = try ledgerRecords()
        guard let header = records.first else { return [] }
        #expect(header == LedgerRow.columns)
        return try records.dropFirst().map { fields in try #require(LedgerRow(fields: fields), "malformed ledger row \(fields)") }
    }

    /// Waits until the ledger holds at least `count` rows; returns them.
    @discardableResult
    func waitForRows(_ count: Int, timeout: Double = 120) async throws -> [LedgerRow] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let rows = try ledgerRows()
            if rows.count >= count { return rows }
            guard Date() < deadline else {
                Issue.record("only \(rows.count) of \(count) ledger rows after \(timeout) s; log:\n\(log())")
                return rows
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Checks the end state every test shares: exactly one final row per input, each `ok` row's outbox copy
    /// present, no temporary or half-written file anywhere, inbox and work folder empty.
    func expectEveryInputRecordedOnce(_ names: [String]) async throws {
        // A row is written before its input leaves the work folder: give a running watcher a moment to finish.
        let deadline = Date().addingTimeInterval(10)
        while (!workItems.isEmpty || !inboxFiles.isEmpty || contents(of: outbox).contains { $0.hasPrefix(".") }), Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        let rows = try ledgerRows()
        let finals = rows.filter { $0.status != .duplicate }
        let neutralised = names.map(CSV.neutralised)
        #expect(finals.map(\.inputFile).sorted() == neutralised.sorted(), "one ok/rejected row per input")
        for row in rows where row.status == .ok {
            #expect(FileManager.default.fileExists(atPath: outbox.appendingPathComponent(row.outputFile).path), "missing \(row.outputFile)")
        }
        #expect(!contents(of: outbox).contains { $0.hasPrefix(".") }, "temporary files left in the outbox")
        #expect(inboxFiles.isEmpty, "inputs left in the inbox: \(inboxFiles)")
        #expect(workItems.isEmpty, "claims left in the work folder: \(workItems)")
    }
}

extension LedgerRow {
    /// True for an outbox name in the tutorial's form for `input`.
    func hasTutorialOutputName(for input: String) -> Bool {
        outputFile.hasPrefix("\(result)_Prob_\(prob ?? -1)_Name_") && outputFile.hasSuffix("_Name_\(input).png")
    }
}
