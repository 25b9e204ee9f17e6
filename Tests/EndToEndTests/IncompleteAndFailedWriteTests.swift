import Foundation
import Screening
import Testing
import TestSupport
import Watcher

extension ReliabilityTests {
    /// Writers that pause inside a file, and outbox writes that fail.
    @Suite struct IncompleteAndFailedWrites {
        @Test func writerPausingHalfWayIsWaitedForNotRejected() async throws {
            let spool = try WatchSpool()
            let watcher = try await spool.startWatching()
            defer { watcher.terminate() }
            let bytes = try WatchSpool.png(seed: 150, width: 200, height: 200)
            let path = spool.inbox.appendingPathComponent("paused.png").path
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.write(contentsOf: Data(bytes.prefix(bytes.count / 2)))
            try await Task.sleep(for: .seconds(2))     // far over settle_seconds (0.3), file still open
            try handle.write(contentsOf: Data(bytes.dropFirst(bytes.count / 2)))
            try handle.close()
            let rows = try await spool.waitForRows(1)
            try await Task.sleep(for: .seconds(1))
            #expect(try spool.ledgerRows().map(\.status) == [.ok], "\(spool.log())")
            #expect(rows.first?.sha256 == FileDigest.sha256(of: bytes))
            #expect(spool.contents(of: spool.rejected).isEmpty)
            try await spool.stop(watcher)
            try await spool.expectEveryInputRecordedOnce(["paused.png"])
        }

        @Test func truncatedFileIsStillRejectedOnceTheGraceTimeHasPassed() async throws {
            let spool = try WatchSpool(extra: ["incomplete_grace_seconds": "2"])
            let valid = try WatchSpool.png(seed: 151)
            let started = Date()
            try spool.drop("truncated.png", Array(valid.prefix(valid.count / 2)))
            #expect(try await spool.runOnce() == 0, "log:\n\(spool.log("once.log"))")
            let rows = try spool.ledgerRows()
            #expect(rows.map(\.status) == [.rejected])
            #expect(rows.first?.reason.contains("corrupt") == true)
            // Not before the grace time since it was written (the watcher may start late under load, so whether
            // it was handed back first is not checked).
            #expect(Date().timeIntervalSince(started) >= 1.9)
        }

        @Test func failedOutboxWriteLeavesNoTemporaryFile() async throws {
            let spool = try WatchSpool()
            try spool.drop("big.png", try WatchSpool.noisePNG(width: 300, height: 300))
            // Writes past 64 KiB fail with EFBIG, as on a full disk; the outbox copy is about 270 KB.
            let status = try await spool.runOnce(fileSizeLimitBlocks: 128)
            let log = spool.log("once.log")
            #expect(status != 0, "the watcher cannot finish the file and stops: \(log)")
            #expect(log.contains("cannot finish"), "\(log)")
            #expect(!spool.contents(of: spool.outbox).contains { $0.hasPrefix(".tmp-") },
                    "temporary left in the outbox: \(spool.contents(of: spool.outbox))")
            #expect(spool.contents(of: spool.outbox).isEmpty)
            // The input stays claimed, and the next run (without the limit) finishes it.
            #expect(try await spool.runOnce() == 0, "log:\n\(spool.log("once.log"))")
            try await spool.expectEveryInputRecordedOnce(["big.png"])
        }
    }
}
