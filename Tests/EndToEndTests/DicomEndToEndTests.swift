import Foundation
import Imaging
import Testing
import TestSupport
import Watcher

/// DICOM files as a PACS export drops them: the built watcher and `classify` on DICOMs made from an example
/// radiograph (frontal, lateral, CT, truncated), with the shipped models.
@Suite(.enabled(if: WatchSpool.modelsPresent, WatchSpool.modelsMissing))
struct DicomEndToEndTests {
    /// The example radiograph as an 8-bit MONOCHROME2 DX object, with a patient name that must not leak.
    static func frontal() throws -> DicomFixture {
        let (_, bytes) = try WatchSpool.exampleJPEG()
        let image = try ImageDecoder.decode(bytes, file: "example")
        var fixture = DicomFixture(width: image.width, height: image.height, rgb: image.pixels)
        fixture.patientName = "Doe^Jane^Secret"
        return fixture
    }

    static func bytes(_ fixture: DicomFixture, in folder: URL) throws -> [UInt8] {
        let path = folder.appendingPathComponent("fixture-\(UUID().uuidString).dcm").path
        try fixture.write(to: path)
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func theWatcherScreensDicomRefusesWhatIsNotAFrontalChestAndKeepsOnlyTheUIDs() async throws {
        let spool = try WatchSpool(extra: ["incomplete_grace_seconds": "0"])
        let scratch = try Fixtures.makeTemporaryDirectory("dicom-e2e")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let frontal = try Self.frontal()
        var lateral = frontal
        (lateral.viewPosition, lateral.sopInstanceUID) = ("LL", "1.2.826.0.1.3680043.10.1234.3")
        var ct = frontal
        (ct.modality, ct.sopInstanceUID) = ("CT", "1.2.826.0.1.3680043.10.1234.4")
        let frontalBytes = try Self.bytes(frontal, in: scratch)
        try spool.drop("IM000001", frontalBytes)                          // PACS exports often have no extension
        try spool.drop("lateral.dcm", try Self.bytes(lateral, in: scratch))
        try spool.drop("ct.dcm", try Self.bytes(ct, in: scratch))
        try spool.drop("cut.dcm", Array(frontalBytes.prefix(frontalBytes.count / 2)))
        #expect(try await spool.runOnce() == 0, "log:\n\(spool.log("once.log"))")

        let rows = Dictionary(uniqueKeysWithValues: try spool.ledgerRows().map { ($0.inputFile, $0) })
        #expect(rows.count == 4, "one row per input")
        let screened = try #require(rows["IM000001"])
        #expect(screened.status == .ok && ["POSITIVE", "NEGATIVE"].contains(screened.result), "\(screened.result) \(screened.reason)")
        #expect(screened.sopInstanceUID == "1.2.826.0.1.3680043.10.1234.1" && screened.studyInstanceUID == "1.2.826.0.1.3680043.10.1234.2")
        #expect(screened.width == frontal.width && screened.height == frontal.height)
        #expect(!screened.version.isEmpty && screened.thresholds.contains("covid_normal=0.5"))
        let side = try #require(rows["lateral.dcm"])
        #expect(side.status == .ok && side.result == "INDETERMINATE" && side.reason.contains("lateral"), "\(side.result) \(side.reason)")
        let scan = try #require(rows["ct.dcm"])
        #expect(scan.status == .rejected && scan.reason.contains("modality CT"), "\(scan.reason)")
        let cut = try #require(rows["cut.dcm"])
        #expect(cut.status == .rejected && cut.reason.contains("corrupt"), "\(cut.reason)")

        // No patient data leaves: not in the ledger, not in any outbox image.
        let ledger = try String(contentsOf: spool.ledger, encoding: .isoLatin1)
        #expect(!ledger.contains("Secret"))
        for name in try FileManager.default.contentsOfDirectory(atPath: spool.outbox.path) {
            let data = try Data(contentsOf: spool.outbox.appendingPathComponent(name))
            #expect(data.range(of: Data("Secret".utf8)) == nil, "\(name)")
            #expect(data.range(of: Data("1.2.826.0.1.3680043".utf8)) == nil, "\(name) carries no DICOM attribute")
        }
    }

    @Test func classifyScreensADicomFileWhateverItsName() throws {
        let scratch = try Fixtures.makeTemporaryDirectory("dicom-classify")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let frontal = scratch.appendingPathComponent("export-0001")
        try Self.frontal().write(to: frontal.path)
        var lateralFixture = try Self.frontal()
        lateralFixture.viewPosition = "LATERAL"
        let lateral = scratch.appendingPathComponent("export-0002")
        try lateralFixture.write(to: lateral.path)
        let run = try Fixtures.runBinary(["classify", "--json", frontal.path, lateral.path])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let objects = try run.stdout.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == 2)
        #expect(["POSITIVE", "NEGATIVE"].contains(objects.first?["result"] as? String ?? ""))
        #expect(objects.last?["result"] as? String == "INDETERMINATE")
        #expect((objects.last?["refusal"] as? String)?.contains("lateral") == true)
    }
}
