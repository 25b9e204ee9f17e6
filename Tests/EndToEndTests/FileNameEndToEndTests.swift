import Foundation
import Testing
import TestSupport
import Watcher

extension ReliabilityTests {
    /// File names that are not UTF-8, hold `%`, or hold control characters.
    @Suite struct FileNames {
        @Test func nonUTF8NameGetsAnEscapedLedgerNameThatNamesTheOutboxFile() async throws {
            let spool = try WatchSpool()
            let invalid = Array("invalid-".utf8) + [0xFF, 0xFE] + Array("-utf8.jpeg".utf8)
            try spool.drop(rawName: invalid, try WatchSpool.png(seed: 130))
            try spool.drop("100%.png", try WatchSpool.png(seed: 131))
            #expect(try await spool.runOnce() == 0, "log:\n\(spool.log("once.log"))")
            let rows = try spool.ledgerRows()
            #expect(Set(rows.map(\.inputFile)) == ["invalid-%FF%FE-utf8.jpeg", "100%25.png"])
            for row in rows {
                #expect(row.status == .ok)
                #expect(row.hasTutorialOutputName(for: row.inputFile), "\(row.outputFile)")
                #expect(FileManager.default.fileExists(atPath: spool.outbox.appendingPathComponent(row.outputFile).path),
                        "output_file \(row.outputFile) names no outbox file: \(spool.contents(of: spool.outbox))")
            }
            // The input itself keeps its exact bytes.
            #expect(spool.exists(rawName: invalid, in: spool.archive))
            #expect(spool.contents(of: spool.outbox).count == 2)
        }

        @Test func newlineInAFileNameCannotForgeALogLine() async throws {
            let spool = try WatchSpool()
            let forged = "2026-01-01T00:00:00.000000Z error   forged line"
            let name = "evil\n\(forged)\r\u{1B}[2J.png"
            try spool.drop(name, try WatchSpool.png(seed: 140))
            #expect(try await spool.runOnce() == 0, "log:\n\(spool.log("once.log"))")
            #expect(try spool.ledgerRows().count == 1)
            let lines = spool.logLines("once.log")
            #expect(!lines.contains { $0.hasPrefix("2026-01-01T00:00:00") }, "a file name started a log line:\n\(spool.log("once.log"))")
            #expect(!spool.log("once.log").contains("\r") && !spool.log("once.log").contains("\u{1B}"))
            #expect(lines.contains { $0.contains("evil\\n\(forged)\\r\\u{1B}[2J.png") }, "\(spool.log("once.log"))")
        }
    }
}
