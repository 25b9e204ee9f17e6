import Foundation
import Testing
import TestSupport
import Watcher

extension ReliabilityTests {
    /// Inbox entries that are not regular files are never opened for reading (a FIFO would block a reader).
    @Suite struct SpecialFiles {
        @Test func fifoInTheInboxIsRejectedWithoutBlocking() async throws {
            let spool = try WatchSpool()
            #expect(mkfifo(spool.inbox.appendingPathComponent("pipe.png").path, 0o644) == 0)
            try spool.drop("fine.png", try WatchSpool.png(seed: 160))
            #expect(try await spool.runOnce(timeout: 60) == 0, "log:\n\(spool.log("once.log"))")
            let rows = try spool.ledgerRows()
            let fifo = try #require(rows.first { $0.inputFile == "pipe.png" })
            #expect(fifo.status == .rejected)
            #expect(fifo.reason.contains("not a regular file"), "\(fifo.reason)")
            #expect(rows.first { $0.inputFile == "fine.png" }?.status == .ok)
            try await spool.expectEveryInputRecordedOnce(["pipe.png", "fine.png"])
        }
    }
}
