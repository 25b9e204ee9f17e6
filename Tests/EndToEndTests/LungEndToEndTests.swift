import CSVFormat
import Foundation
import Imaging
import Testing
import TestSupport
import Watcher

/// The shipped lung segmenter as users meet it: `classify --json` and `--overlay`, and the watcher's ledger
/// columns and overlay folder, run through the built binary with the bundled models.
@Suite(.enabled(if: ShippedModels.present && LungSegmenterFile.present, LungSegmenterFile.missing))
struct LungEndToEndTests {
    let examples = Fixtures.packageRoot.appendingPathComponent("examples")

    @Test func classifyJSONGivesEveryExampleAPlausiblePairOfLungs() throws {
        let run = try Fixtures.runBinary(["classify", "--json", "examples"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let objects = try run.stdout.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count >= 5)
        for object in objects {
            let file = object["file"] as? String ?? "?"
            let lungs = try #require(object["lungs"] as? [String: Any], "no lungs for \(file)")
            #expect(lungs["found"] as? Bool == true, "\(file): \(lungs["problem"] ?? "")")
            #expect(lungs["components"] as? Int == 2, "\(file)")
            let area = try #require(lungs["area_fraction"] as? Double)
            #expect((0.1...0.6).contains(area), "\(file): lung area \(area)")
            let box = try #require(lungs["bbox"] as? [Int])
            #expect(box.count == 4 && box[2] > 0 && box[3] > 0)
        }
    }

    @Test func overlayImagesHaveTheInputsSizeAndAnOutline() throws {
        let folder = try Fixtures.makeTemporaryDirectory("overlays")
        defer { try? FileManager.default.removeItem(at: folder) }
        let name = "IM-0199-0001.jpeg"
        let run = try Fixtures.runBinary(["classify", "--overlay", folder.path, "examples/\(name)"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stdout.contains("lungs "))
        let input = try ImageDecoder.decode(contentsOf: examples.appendingPathComponent(name).path)
        let overlay = try ImageDecoder.decode(contentsOf: folder.appendingPathComponent("\(name).lungs.png").path)
        #expect(overlay.width == input.width && overlay.height == input.height)
        // The outline is drawn in green; the radiograph itself is grey.
        let green = stride(from: 0, to: overlay.pixels.count, by: 3).count { overlay.pixels[$0 + 1] > 200 && overlay.pixels[$0] < 80 }
        #expect(green > (input.width + input.height) / 2, "an outline of some length (\(green) green pixels)")
    }

    @Test func theWatcherRecordsLungAreaAndWritesOverlays() async throws {
        let spool = try WatchSpool(extra: ["lungs": "\"\(LungSegmenterFile.path)\"", "overlays": "\"overlays\""])
        let (name, bytes) = try WatchSpool.exampleJPEG()
        try spool.drop(name, bytes)
        #expect(try await spool.runOnce() == 0, "log:\n\(spool.log("once.log"))")
        let rows = try spool.ledgerRows()
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(row.status == .ok)
        #expect(row.lungs == "found")
        #expect((0.1...0.6).contains(row.lungArea ?? -1))
        let overlay = spool.root.appendingPathComponent("overlays").appendingPathComponent(String(row.outputFile.dropLast(4)) + ".lungs.png")
        #expect(FileManager.default.fileExists(atPath: overlay.path))
        #expect(spool.log("once.log").contains("; lungs "), "the log line names the lungs found")
    }

    @Test(arguments: LedgerRow.earlierColumns)
    func aLedgerOfEarlierColumnsIsSetAsideNotRefused(columns: [String]) async throws {
        let spool = try WatchSpool()
        let row = ["2026-01-01T00:00:00.000000Z", "old.png", "abc", "1", "", "", "", "", "", "", "both", "", "rejected", "old", "m", "1"]
        let legacy = CSV.record(columns) + CSV.record(row + [String](repeating: "", count: columns.count - row.count))
        try Data(legacy.utf8).write(to: spool.ledger)
        let (name, bytes) = try WatchSpool.exampleJPEG()
        try spool.drop(name, bytes)
        #expect(try await spool.runOnce() == 0, "log:\n\(spool.log("once.log"))")
        #expect(try spool.ledgerRows().count == 1)
        let aside = try FileManager.default.contentsOfDirectory(atPath: spool.root.path).filter { $0.hasPrefix("ledger.") && $0 != "ledger.csv" }
        #expect(aside.count == 1)
        let kept = try String(contentsOf: spool.root.appendingPathComponent(aside[0]), encoding: .utf8)
        #expect(kept == legacy, "the earlier ledger is kept as it was")
        #expect(spool.log("once.log").contains("had other columns (an earlier version"))
    }
}

enum LungSegmenterFile {
    static let path = Fixtures.packageRoot.appendingPathComponent("models/lungs.json").path
    static var present: Bool { FileManager.default.fileExists(atPath: path) }
    static let missing: Comment = "skipped: models/lungs.json is absent; run `xraywatch train-lungs`"
}
