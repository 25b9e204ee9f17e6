import Foundation
import Testing
import TestSupport
import Watcher
@testable import HTTPService

/// The pages read the ledger incrementally and follow it through rotations.
@Suite struct LedgerFollowerTests {
    static func row(_ name: String, sha: String) -> LedgerRow {
        LedgerRow(time: LedgerRow.timestamp(), inputFile: name, sha256: sha, bytes: 1, result: "NEGATIVE", prob: 80,
                  scores: ["covid_normal": 0.1, "covid_pneumo": 0.2], policy: "both", outputFile: "x_\(name).png", status: .ok,
                  models: "m", elapsedMilliseconds: 1)
    }

    @Test func appendedRowsArePickedUpAndARotationStartsAgain() throws {
        let folder = try Fixtures.makeTemporaryDirectory("follower")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger.csv").path
        let follower = LedgerFollower(path: path, layout: .shipped)
        #expect(follower.rows().isEmpty, "no ledger yet")
        let ledger = try Ledger(path: path)
        _ = try ledger.commit(Self.row("a.png", sha: "1")) { _ in }
        #expect(follower.rows().map(\.inputFile) == ["a.png"])
        _ = try ledger.commit(Self.row("b.png", sha: "2")) { _ in }
        #expect(follower.rows().map(\.inputFile) == ["a.png", "b.png"], "only the appended row was read, the first kept")
        // logrotate: the file moves away; the next append starts a new ledger with its header.
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        _ = try ledger.commit(Self.row("c.png", sha: "3")) { _ in }
        #expect(follower.rows().map(\.inputFile) == ["c.png"])
        // copytruncate: the same file emptied, then written again.
        try Data().write(to: URL(fileURLWithPath: path))
        _ = try ledger.commit(Self.row("d.png", sha: "4")) { _ in }
        #expect(follower.rows().map(\.inputFile) == ["d.png"])
    }
}
