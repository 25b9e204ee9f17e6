import Foundation
import Imaging
import Testing
import TestSupport
import Watcher

/// `outbox_image`: the annotated copy (default), the faithful plain copy, or both, written by the built watcher.
@Suite(.enabled(if: WatchSpool.modelsPresent, WatchSpool.modelsMissing))
struct OutboxImageEndToEndTests {
    @Test func bothWritesTheAnnotatedImageUnderTheTutorialNameAndAFaithfulPlainCopy() async throws {
        let spool = try WatchSpool(extra: ["outbox_image": "\"both\""])
        let input = try WatchSpool.png(seed: 3, width: 200, height: 160)
        try spool.drop("scan.png", input)
        #expect(try await spool.runOnce() == 0, "log:\n\(spool.log("once.log"))")
        let row = try #require(try spool.ledgerRows().first)
        #expect(row.hasTutorialOutputName(for: "scan.png"), "\(row.outputFile)")
        let annotated = try ImageDecoder.decode(contentsOf: spool.outbox.appendingPathComponent(row.outputFile).path)
        let plainName = String(row.outputFile.dropLast(4)) + ".plain.png"
        let plain = try ImageDecoder.decode(contentsOf: spool.outbox.appendingPathComponent(plainName).path)
        let original = try ImageDecoder.decode(input, file: "scan.png")
        #expect(plain == original, "the plain copy is the input's pixels")
        #expect(annotated.width == original.width && annotated.height > original.height)
        #expect(spool.contents(of: spool.outbox).filter { !$0.hasPrefix(".") } == [row.outputFile, plainName].sorted())
    }

    @Test func plainWritesOnlyTheFaithfulCopy() async throws {
        let spool = try WatchSpool(extra: ["outbox_image": "\"plain\""])
        let input = try WatchSpool.png(seed: 4, width: 120, height: 90)
        try spool.drop("scan.png", input)
        #expect(try await spool.runOnce() == 0, "log:\n\(spool.log("once.log"))")
        let row = try #require(try spool.ledgerRows().first)
        let copy = try ImageDecoder.decode(contentsOf: spool.outbox.appendingPathComponent(row.outputFile).path)
        #expect(copy == (try ImageDecoder.decode(input, file: "scan.png")))
        #expect(spool.contents(of: spool.outbox).filter { !$0.hasPrefix(".") } == [row.outputFile])
    }

    @Test func anUnknownOutboxImageValueIsAConfigurationError() async throws {
        let spool = try WatchSpool(extra: ["outbox_image": "\"fancy\""])
        #expect(try await spool.runOnce() != 0)
        #expect(spool.log("once.log").contains("outbox_image"), "the error names the key: \(spool.log("once.log"))")
    }
}
