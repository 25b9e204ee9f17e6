import CSVFormat
import Foundation
import Testing
import TestSupport
import Watcher

extension ReliabilityTests {
    /// The ledger deleted, rotated or truncated under a running watcher, and SIGHUP.
    @Suite struct LedgerRotation {
        /// Every row of `path` (header first), or none when it is absent.
        static func records(_ path: String) -> [[String]] {
            guard let data = FileManager.default.contents(atPath: path) else { return [] }
            return CSV.parse(Array(data)).records
        }

        @Test func ledgerDeletedRenamedOrCopyTruncatedWhileRunningGetsANewFileWithItsHeader() async throws {
            let spool = try WatchSpool()
            let watcher = try await spool.startWatching()
            defer { watcher.terminate() }
            let ledger = spool.ledger.path
            try spool.drop("before.png", try WatchSpool.png(seed: 100))
            try await spool.waitForRows(1)

            #expect(unlink(ledger) == 0)                       // rm spool/ledger.csv
            try spool.drop("after-delete.png", try WatchSpool.png(seed: 101))
            #expect(try await spool.waitForRows(1).map(\.inputFile) == ["after-delete.png"])

            #expect(rename(ledger, ledger + ".1") == 0)        // logrotate `create`
            try spool.drop("after-rename.png", try WatchSpool.png(seed: 102))
            #expect(try await spool.waitForRows(1).map(\.inputFile) == ["after-rename.png"])
            #expect(Self.records(ledger + ".1").dropFirst().map { $0[1] } == ["after-delete.png"])

            try FileManager.default.copyItem(atPath: ledger, toPath: ledger + ".2")   // logrotate `copytruncate`
            #expect(truncate(ledger, 0) == 0)
            try spool.drop("after-truncate.png", try WatchSpool.png(seed: 103))
            #expect(try await spool.waitForRows(1).map(\.inputFile) == ["after-truncate.png"])
            #expect(Self.records(ledger).first == LedgerRow.columns)

            try await spool.stop(watcher)
            let log = spool.log()
            #expect(log.contains("was deleted or moved away") && log.contains("shrank"), "\(log)")
        }

        @Test func sighupReopensTheLedgerAndTheWatcherKeepsGoing() async throws {
            let spool = try WatchSpool()
            let watcher = try await spool.startWatching()
            defer { watcher.terminate() }
            try spool.drop("before.png", try WatchSpool.png(seed: 110))
            try await spool.waitForRows(1)
            // The rotation a logrotate `postrotate` script signals: move away, then SIGHUP.
            #expect(rename(spool.ledger.path, spool.ledger.path + ".1") == 0)
            #expect(kill(watcher.processIdentifier, SIGHUP) == 0)
            try await spool.waitForLog("SIGHUP")
            #expect(watcher.isRunning, "SIGHUP killed the watcher (status \(watcher.isRunning ? 0 : watcher.terminationStatus))")
            try spool.drop("after.png", try WatchSpool.png(seed: 111))
            #expect(try await spool.waitForRows(1).map(\.inputFile) == ["after.png"])
            try await spool.stop(watcher)
            try await spool.expectEveryInputRecordedOnce(["after.png"])
        }
    }
}
