import CSVFormat
import Foundation
import Testing
import TestSupport
import Watcher

/// A site's own model under its own name gets its own ledger column, and the ledger of the shipped models is
/// set aside rather than written with the wrong columns.
@Suite(.enabled(if: WatchSpool.modelsPresent, WatchSpool.modelsMissing))
struct LedgerModelsEndToEndTests {
    @Test func aRenamedSiteModelGetsItsOwnColumnAndTheOldLedgerIsSetAside() async throws {
        let spool = try WatchSpool()
        // The shipped pair first: a ledger with their columns.
        try spool.drop("first.png", try WatchSpool.png(seed: 90))
        #expect(try await spool.runOnce() == 0, "log:\n\(spool.log("once.log"))")
        // A "retrained" covid_pneumo under the site's name: the shipped manifest and weights, renamed.
        let site = spool.root.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        var manifest = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: WatchSpool.modelsFolder.appendingPathComponent("covid_pneumo.json"))) as? [String: Any])
        manifest["name"] = "site_pneumo"
        try JSONSerialization.data(withJSONObject: manifest).write(to: site.appendingPathComponent("site_pneumo.json"))
        let weights = try #require((manifest["weights"] as? [String: Any])?["file"] as? String)
        try FileManager.default.copyItem(at: WatchSpool.modelsFolder.appendingPathComponent(weights), to: site.appendingPathComponent(weights))
        var config = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: spool.configPath))) as? [String: Any])
        config["models"] = [WatchSpool.modelsFolder.appendingPathComponent("covid_normal.json").path, site.appendingPathComponent("site_pneumo.json").path]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: spool.configPath))
        try spool.drop("second.png", try WatchSpool.png(seed: 91))
        #expect(try await spool.runOnce(log: "site.log") == 0, "log:\n\(spool.log("site.log"))")

        let layout = LedgerLayout(modelNames: ["covid_normal", "site_pneumo"])
        let records = CSV.parse(Array(try Data(contentsOf: spool.ledger))).records
        #expect(records.first == layout.columns, "the header names the loaded models")
        let row = try #require(records.dropFirst().first.flatMap { LedgerRow(fields: $0, layout: layout) })
        #expect(row.inputFile == "second.png" && row.scores["site_pneumo"] != nil, "\(row)")
        let aside = try FileManager.default.contentsOfDirectory(atPath: spool.root.path).filter { $0.hasPrefix("ledger.") && $0 != "ledger.csv" }
        #expect(aside.count == 1, "the shipped models' ledger is kept under a dated name: \(aside)")
        #expect(spool.log("site.log").contains("had other columns"))
    }
}
