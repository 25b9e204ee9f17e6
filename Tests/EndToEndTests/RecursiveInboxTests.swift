import Foundation
import Testing
import TestSupport
import Watcher

/// `recursive: true`: files in sub-folders of the inbox (as a scanner or a PACS export lays them out) are
/// screened and recorded by their path relative to the inbox; new sub-folders are watched as they appear.
@Suite(.enabled(if: WatchSpool.modelsPresent, WatchSpool.modelsMissing))
struct RecursiveInboxTests {
    @Test func filesInSubFoldersAreScreenedOnceAndNamedByTheirRelativePath() async throws {
        let spool = try WatchSpool(extra: ["recursive": "true"])
        for folder in ["ward3/day2", ".hidden"] {
            try FileManager.default.createDirectory(at: spool.inbox.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try spool.drop("top.png", try WatchSpool.png(seed: 300))
        try spool.drop("ward3/a.png", try WatchSpool.png(seed: 301))
        try spool.drop("ward3/day2/a.png", try WatchSpool.png(seed: 302))   // the same base name as another input
        try spool.drop(".hidden/skip.png", try WatchSpool.png(seed: 303))
        #expect(try await spool.runOnce() == 0, "log:\n\(spool.log("once.log"))")

        let rows = try spool.ledgerRows()
        #expect(rows.map(\.inputFile).sorted() == ["top.png", "ward3/a.png", "ward3/day2/a.png"], "\(rows.map(\.inputFile))")
        #expect(rows.allSatisfy { $0.status == .ok })
        let outbox = spool.contents(of: spool.outbox).filter { !$0.hasPrefix(".") }
        #expect(outbox.count == 3 && outbox.filter { $0.hasSuffix("_Name_a.png.png") || $0.hasSuffix("_Name_a.png_2.png") }.count == 2, "\(outbox)")
        #expect(spool.contents(of: spool.archive).sorted() == ["a.png", "a_2.png", "top.png"])
        // The sub-folders are the user's: kept (empty); hidden ones untouched; the work folder clean.
        #expect(FileManager.default.fileExists(atPath: spool.inbox.appendingPathComponent("ward3/day2").path))
        #expect(FileManager.default.fileExists(atPath: spool.inbox.appendingPathComponent(".hidden/skip.png").path))
        #expect(spool.workItems.isEmpty, "\(spool.workItems)")
    }

    @Test func aFolderCreatedWhileRunningIsWatchedWithoutWaitingForTheRescan() async throws {
        let spool = try WatchSpool(extra: ["recursive": "true", "rescan_seconds": "600"])
        let watcher = try spool.start()
        defer { watcher.terminate() }
        try await Task.sleep(for: .seconds(2))   // loaded and watching
        try FileManager.default.createDirectory(at: spool.inbox.appendingPathComponent("new/deeper"), withIntermediateDirectories: true)
        try await Task.sleep(for: .milliseconds(500))
        try spool.drop("new/deeper/late.png", try WatchSpool.png(seed: 310))
        let rows = try await spool.waitForRows(1, timeout: 30)
        #expect(rows.first?.inputFile == "new/deeper/late.png", "seen through the sub-folder's own inotify watch, not the 600 s rescan")
        watcher.terminate()
        try await WatchSpool.waitForExit(watcher, timeout: 20)
    }
}
