import Foundation
import Testing
import TestSupport
import Watcher

extension ReliabilityTests {
    /// The inbox folder deleted and recreated, or deleted for good, under a running watcher.
    @Suite struct InboxReplacement {
        @Test(arguments: [false, true])
        func inboxDeletedAndRecreatedIsWatchedAgain(poll: Bool) async throws {
            let spool = try WatchSpool()
            let watcher = try await spool.startWatching(poll ? ["--poll", "0.2"] : [])
            defer { watcher.terminate() }
            try FileManager.default.removeItem(at: spool.inbox)   // rm -rf spool/inbox
            try FileManager.default.createDirectory(at: spool.inbox, withIntermediateDirectories: false)
            try spool.drop("after.png", try WatchSpool.png(seed: 120))
            let rows = try await spool.waitForRows(1, timeout: 10)   // well under rescan_seconds (30)
            #expect(rows.map(\.inputFile) == ["after.png"])
            #expect(rows.first?.status == .ok)
            try await spool.stop(watcher)
            try await spool.expectEveryInputRecordedOnce(["after.png"])
            #expect(spool.log().contains("now watching the folder at"))
        }

        @Test func inboxDeletedForGoodStopsWithAnErrorForSystemdToRestart() async throws {
            let spool = try WatchSpool()
            let watcher = try await spool.startWatching()
            defer { watcher.terminate() }
            try FileManager.default.removeItem(at: spool.inbox)
            // 10 s for the inbox to return, well under rescan_seconds.
            let status = try await WatchSpool.exitStatus(of: watcher, timeout: 25)
            #expect(status != nil && status != 0)
            let log = spool.log()
            #expect(log.contains("was deleted"), "\(log)")
            // The fatal error is logged at level critical, spelled out whole.
            #expect(spool.logLines().contains { $0.contains(" critical ") }, "\(log)")
        }
    }
}
