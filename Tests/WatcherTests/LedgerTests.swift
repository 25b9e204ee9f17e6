import CSVFormat
import Foundation
import Testing
import TestSupport
@testable import Watcher

@Suite struct LedgerTests {
    static func row(_ input: String, sha: String, status: LedgerRow.Status = .ok, output: String = "") -> LedgerRow {
        LedgerRow(time: LedgerRow.timestamp(), inputFile: input, sha256: sha, bytes: 10, width: 2, height: 2,
                  result: status == .rejected ? "" : "NEGATIVE", prob: 80, scores: ["covid_normal": 0.2, "covid_pneumo": 0.1],
                  policy: "both", outputFile: output.isEmpty ? "NEGATIVE_Prob_80_Name_\(input).png" : output, status: status,
                  models: "m@1", elapsedMilliseconds: 5)
    }

    static func lines(_ path: String) throws -> [[String]] {
        CSV.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path)))).records
    }

    @Test func newLedgerGetsHeaderAndRowsAppendOnePerCommit() throws {
        let folder = try Fixtures.makeTemporaryDirectory("ledger")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger.csv").path
        let ledger = try Ledger(path: path)
        var journaled: [LedgerRow] = []
        let written = try ledger.commit(Self.row("a.png", sha: "h1")) { journaled.append($0) }
        #expect(written.status == .ok)
        #expect(journaled.isEmpty, "a row the ledger did not change is not journaled again under the lock")
        let records = try Self.lines(path)
        #expect(records.first == LedgerRow.columns)
        #expect(records.count == 2)
        #expect(ledger.earlierResult(sha256: "h1")?.inputFile == "a.png")
    }

    @Test func sameContentBecomesDuplicatePointingToEarlierOutput() throws {
        let folder = try Fixtures.makeTemporaryDirectory("ledger")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger.csv").path
        let first = try Ledger(path: path)
        _ = try first.commit(Self.row("a.png", sha: "h1")) { _ in }
        // A second instance sharing the file: it did not see the first row before committing.
        let second = try Ledger(path: path)
        _ = try first.commit(Self.row("b.png", sha: "h2")) { _ in }
        #expect(second.earlierResult(sha256: "h2") == nil)
        var rejournaled: [LedgerRow] = []
        let written = try second.commit(Self.row("copy-of-b.png", sha: "h2")) { rejournaled.append($0) }
        #expect(written.status == .duplicate)
        #expect(rejournaled == [written], "the changed row is journaled before it is appended")
        #expect(written.outputFile == "NEGATIVE_Prob_80_Name_b.png.png")
        #expect(written.reason.contains("b.png"))
        // Rejected rows never make later inputs duplicates.
        _ = try first.commit(Self.row("bad.png", sha: "h3", status: .rejected)) { _ in }
        #expect(first.earlierResult(sha256: "h3") == nil)
        // The index is read from the file at start-up.
        let third = try Ledger(path: path)
        #expect(third.earlierResult(sha256: "h1")?.inputFile == "a.png")
        #expect(third.earlierResult(sha256: "h2")?.inputFile == "b.png")
    }

    @Test func contentSeenBeforeIsCompletedFromTheEarlierRowUnderTheLock() throws {
        let folder = try Fixtures.makeTemporaryDirectory("ledger")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger.csv").path
        let ledger = try Ledger(path: path)
        _ = try ledger.commit(Self.row("a.png", sha: "h1")) { _ in }
        var seen = Self.row("again.png", sha: "h1", status: .duplicate)
        (seen.outputFile, seen.result, seen.prob) = ("", "", nil)
        let written = try ledger.commit(seen) { _ in }
        #expect(written.status == .duplicate)
        #expect(written.outputFile == "NEGATIVE_Prob_80_Name_a.png.png")
        #expect(written.result == "NEGATIVE" && written.prob == 80)
        // Content no ok row is known for cannot be "seen before": refused, nothing written.
        var unknown = seen
        unknown.sha256 = "h-unknown"
        #expect(throws: LedgerError.self) { try ledger.commit(unknown) { _ in } }
        #expect(try Self.lines(path).count == 3)
    }

    @Test func recoveryCommitDoesNotWriteARowTwice() throws {
        let folder = try Fixtures.makeTemporaryDirectory("ledger")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger.csv").path
        let ledger = try Ledger(path: path)
        let written = try ledger.commit(Self.row("a.png", sha: "h1")) { _ in }
        let again = try Ledger(path: path).commit(written, unlessPresent: true) { _ in }
        #expect(again == written)
        #expect(try Self.lines(path).count == 2)
        let other = Self.row("b.png", sha: "h9", status: .rejected)
        _ = try Ledger(path: path).commit(other, unlessPresent: true) { _ in }
        #expect(try Self.lines(path).count == 3)
    }

    @Test(arguments: [",\"torn inside quo", "2026-01-01T00:00:00Z,torn-plain"])
    func tornLastLineIsClosedAndIgnored(torn: String) throws {
        let folder = try Fixtures.makeTemporaryDirectory("ledger")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger.csv").path
        _ = try Ledger(path: path).commit(Self.row("a.png", sha: "h1")) { _ in }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(torn.utf8))
        try handle.close()
        let ledger = try Ledger(path: path)
        _ = try ledger.commit(Self.row("b.png", sha: "h2")) { _ in }
        let rows = try Self.lines(path).compactMap { LedgerRow(fields: $0) }
        #expect(rows.map(\.inputFile) == ["a.png", "b.png"])
        #expect(try Ledger(path: path).earlierResult(sha256: "h2") != nil)
    }

    @Test func foreignFileIsRefused() throws {
        let folder = try Fixtures.makeTemporaryDirectory("ledger")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("other.csv").path
        try Data("name,age\r\nbob,3\r\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: LedgerError.self) { try Ledger(path: path) }
    }

    @Test func concurrentWritersNeverInterleave() async throws {
        let folder = try Fixtures.makeTemporaryDirectory("ledger")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger.csv").path
        // Separate Ledger objects have separate descriptors, so flock arbitrates between them as between processes.
        let ledgers = try (0..<4).map { _ in try Ledger(path: path) }
        let longName = String(repeating: "x,\"y\"\n", count: 2000)
        await withTaskGroup(of: Void.self) { group in
            for (index, ledger) in ledgers.enumerated() {
                group.addTask {
                    for n in 0..<25 { _ = try? ledger.commit(Self.row("\(index)-\(n)-\(longName)", sha: "\(index)-\(n)")) { _ in } }
                }
            }
        }
        let rows = try Self.lines(path).dropFirst().map { try #require(LedgerRow(fields: $0)) }
        #expect(rows.count == 100)
        #expect(Set(rows.map(\.sha256)).count == 100)
    }
}
