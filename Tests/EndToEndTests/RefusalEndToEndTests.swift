import Foundation
import Testing
import TestSupport
import Watcher

/// INDETERMINATE as users meet it: a photograph and a lateral view dropped into the inbox next to a frontal
/// radiograph, and `classify --json` on them, with the shipped refusal check and lung segmenter. Reads the
/// images that must be refused from ../shared/data/ood.
@Suite(.enabled(if: ShippedModels.present && LungSegmenterFile.present && RefusalCheckFile.present, RefusalCheckFile.missing),
       .enabled(if: Fixtures.hasShared, Fixtures.sharedMissing))
struct RefusalEndToEndTests {
    let photo = "data/ood/natural_photo/coffee.png"
    let lateral = "data/ood/lateral_chest_xray/000002-3.png"

    @Test func theWatcherRefusesAPhotoAndALateralViewAndLosesNothing() async throws {
        let spool = try WatchSpool(extra: ["lungs": "\"\(LungSegmenterFile.path)\"", "refusal": "\"\(RefusalCheckFile.path)\""])
        let (frontal, frontalBytes) = try WatchSpool.exampleJPEG()
        try spool.drop(frontal, frontalBytes)
        try spool.drop("coffee.png", Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.sharedFile(photo)))))
        try spool.drop("lateral.png", Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.sharedFile(lateral)))))
        #expect(try await spool.runOnce() == 0, "log:\n\(spool.log("once.log"))")

        let rows = try spool.ledgerRows()
        #expect(rows.count == 3, "one row per input")
        let byInput = Dictionary(uniqueKeysWithValues: rows.map { ($0.inputFile, $0) })
        for refused in ["coffee.png", "lateral.png"] {
            let row = try #require(byInput[refused])
            #expect(row.status == .ok)
            #expect(row.result == "INDETERMINATE", "\(refused): \(row.result) \(row.reason)")
            #expect(!row.reason.isEmpty, "the row says why")
            #expect(row.outputFile.hasPrefix("INDETERMINATE_Prob_") && row.outputFile.hasSuffix("_Name_\(refused).png"), "\(row.outputFile)")
            #expect(FileManager.default.fileExists(atPath: spool.outbox.appendingPathComponent(row.outputFile).path))
        }
        let judged = try #require(byInput[frontal])
        #expect(judged.result == "POSITIVE" || judged.result == "NEGATIVE", "a frontal radiograph is judged: \(judged.result) \(judged.reason)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool.inbox.path).filter { !$0.hasPrefix(".") }.isEmpty,
                "nothing left behind")
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool.archive.path).count == 3, "every input archived")
        #expect(spool.log("once.log").contains("INDETERMINATE"), "the log line names the refusal")
    }

    @Test func classifyJSONGivesTheReasonAndTheDistance() throws {
        let run = try Fixtures.runBinary(["classify", "--json", Fixtures.sharedFile(photo), "examples"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let objects = try run.stdout.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let refused = try #require(objects.first { ($0["file"] as? String)?.hasSuffix("coffee.png") == true })
        #expect(refused["result"] as? String == "INDETERMINATE")
        #expect((refused["refusal"] as? String)?.isEmpty == false)
        #expect((refused["distance_percent"] as? Int).map { $0 == refused["prob"] as? Int } == true)
        for object in objects where (object["file"] as? String)?.contains("examples") == true {
            #expect(object["result"] as? String != "INDETERMINATE", "\(object["file"] ?? "?") is a frontal radiograph: \(object["refusal"] ?? "")")
            #expect((object["distance_percent"] as? Int).map { $0 <= 100 } == true)
        }
    }
}

enum RefusalCheckFile {
    static let path = Fixtures.packageRoot.appendingPathComponent("models/refusal.json").path
    static var present: Bool { FileManager.default.fileExists(atPath: path) }
    static let missing: Comment = "skipped: models/refusal.json is absent; run `make refusal`"
}
