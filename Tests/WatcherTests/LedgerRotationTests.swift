import CSVFormat
import Foundation
import Testing
import TestSupport
@testable import Watcher

/// The ledger follows its path: deleted, rotated (`create` or `copytruncate`) or reopened files get a
/// fresh header and every row, on real files.
@Suite struct LedgerRotationTests {
    static func records(_ path: String) throws -> [[String]] {
        CSV.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path)))).records
    }

    static func withLedger(_ body: (String, Ledger) throws -> Void) throws {
        let folder = try Fixtures.makeTemporaryDirectory("ledger-rotation")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger.csv").path
        let ledger = try Ledger(path: path)
        _ = try ledger.commit(LedgerTests.row("before.png", sha: "h1")) { _ in }
        try body(path, ledger)
    }

    @Test func deletedLedgerIsRecreatedWithItsHeader() throws {
        try Self.withLedger { path, ledger in
            #expect(unlink(path) == 0)
            _ = try ledger.commit(LedgerTests.row("after.png", sha: "h2")) { _ in }
            let records = try Self.records(path)
            #expect(records.first == LedgerRow.columns)
            #expect(records.dropFirst().map { $0[1] } == ["after.png"])
        }
    }

    @Test func renamedLedgerIsFollowedByANewFile() throws {
        try Self.withLedger { path, ledger in
            #expect(rename(path, path + ".1") == 0)
            _ = try ledger.commit(LedgerTests.row("after.png", sha: "h2")) { _ in }
            #expect(try Self.records(path + ".1").dropFirst().map { $0[1] } == ["before.png"])
            let records = try Self.records(path)
            #expect(records.first == LedgerRow.columns)
            #expect(records.dropFirst().map { $0[1] } == ["after.png"])
        }
    }

    @Test func copyTruncatedLedgerGetsItsHeaderAgain() throws {
        try Self.withLedger { path, ledger in
            try FileManager.default.copyItem(atPath: path, toPath: path + ".1")
            #expect(truncate(path, 0) == 0)
            _ = try ledger.commit(LedgerTests.row("after.png", sha: "h2")) { _ in }
            let records = try Self.records(path)
            #expect(records.first == LedgerRow.columns)
            #expect(records.dropFirst().map { $0[1] } == ["after.png"])
        }
    }

    @Test func ledgerTruncatedAndRefilledByAnotherWriterIsReadFromTheStart() throws {
        try Self.withLedger { path, ledger in
            _ = try ledger.commit(LedgerTests.row("second.png", sha: "h2")) { _ in }
            #expect(truncate(path, 0) == 0)
            // Another instance writes the header and a row, still shorter than what this one had read.
            _ = try Ledger(path: path).commit(LedgerTests.row("other.png", sha: "h3")) { _ in }
            _ = try ledger.commit(LedgerTests.row("after.png", sha: "h4")) { _ in }
            let records = try Self.records(path)
            #expect(records.first == LedgerRow.columns)
            #expect(records.dropFirst().map { $0[1] } == ["other.png", "after.png"])
            #expect(ledger.earlierResult(sha256: "h3")?.inputFile == "other.png")
        }
    }

    @Test func ledgerTruncatedAndRefilledPastWhatWasReadIsReadFromTheStart() throws {
        try Self.withLedger { path, ledger in
            #expect(truncate(path, 0) == 0)
            // Another instance writes a row longer than everything this one had read.
            let long = String(repeating: "x", count: 2000) + ".png"
            _ = try Ledger(path: path).commit(LedgerTests.row(long, sha: "h3")) { _ in }
            _ = try ledger.commit(LedgerTests.row("after.png", sha: "h4")) { _ in }
            let records = try Self.records(path)
            #expect(records.first == LedgerRow.columns)
            #expect(records.dropFirst().map { $0[1] } == [long, "after.png"])
            #expect(ledger.earlierResult(sha256: "h3")?.inputFile == long)
        }
    }

    @Test func emptyLedgerIsAcceptedAtStartAndGetsTheHeader() throws {
        let folder = try Fixtures.makeTemporaryDirectory("ledger-rotation")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger.csv").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        _ = try Ledger(path: path).commit(LedgerTests.row("a.png", sha: "h1")) { _ in }
        #expect(try Self.records(path).first == LedgerRow.columns)
        #expect(try Self.records(path).count == 2)
    }

    @Test func reopenFollowsARotationDoneBetweenAppends() throws {
        try Self.withLedger { path, ledger in
            #expect(rename(path, path + ".1") == 0)
            #expect(FileManager.default.createFile(atPath: path, contents: Data()))
            try ledger.reopen()
            _ = try ledger.commit(LedgerTests.row("after.png", sha: "h2")) { _ in }
            #expect(try Self.records(path).map { $0[1] } == ["input_file", "after.png"])
        }
    }

    @Test func aLedgerForOtherModelsIsSetAsideAndANewOneStartsWithTheirColumns() throws {
        let folder = try Fixtures.makeTemporaryDirectory("ledger-models")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger.csv").path
        _ = try Ledger(path: path).commit(LedgerTests.row("before.png", sha: "h1")) { _ in }
        let site = LedgerLayout(modelNames: ["covid_normal", "site_pneumo"])
        var row = LedgerTests.row("after.png", sha: "h2")
        row.scores = ["covid_normal": 0.25, "site_pneumo": 0.75]
        _ = try Ledger(path: path, layout: site).commit(row) { _ in }
        let records = try LedgerTests.lines(path)
        #expect(records.first == site.columns)
        #expect(records.count == 2 && records[1][9] == "0.7500", "the site model's score is in its own column")
        let asideFiles = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("ledger.") && $0 != "ledger.csv" }
        #expect(asideFiles.count == 1, "\(asideFiles)")
        let aside = try LedgerTests.lines(folder.appendingPathComponent(asideFiles[0]).path)
        #expect(aside.first == LedgerRow.columns && aside.count == 2, "the old ledger kept as it was")
    }
}
