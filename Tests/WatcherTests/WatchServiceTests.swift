import CSVFormat
import Foundation
import Imaging
import Logging
import Screening
import Synchronization
import Testing
import TestSupport
@testable import Watcher

/// The watch service on real folders (`once`: it screens what is in the inbox and returns), with a fake
/// screener standing in for the models at the `BatchScreener` seam.
@Suite struct WatchServiceTests {
    /// Gives every image the same verdict and records the size of each batch it was handed.
    final class FakeScreener: BatchScreener {
        let verdict: Verdict
        let modelIdentities: [ModelIdentity]
        private let batches = Mutex<[Int]>([])

        init(_ verdict: Verdict, models: [ModelIdentity]) { self.verdict = verdict; self.modelIdentities = models }

        var batchSizes: [Int] { batches.withLock { $0 } }

        func screen(_ images: [RGBImage], timings: inout Screener.StageSeconds) -> [Verdict] {
            batches.withLock { $0.append(images.count) }
            return images.map { _ in verdict }
        }
    }

    static let models = [ModelIdentity(name: "fake_a", version: "1", shortHash: "aaaaaaaaaaaa", threshold: 0.4),
                         ModelIdentity(name: "fake_b", version: "2", shortHash: "bbbbbbbbbbbb", threshold: 0.6)]
    static let positive = Verdict(result: .positive, prob: 91, scores: [ModelScore(model: "fake_a", probability: 0.91),
                                                                         ModelScore(model: "fake_b", probability: 0.88)])

    /// Inbox, outbox, archive, rejected, work folder and ledger under one temporary folder.
    struct Spool {
        let root: URL

        init() throws { root = try Fixtures.makeTemporaryDirectory("watch-service") }

        func path(_ name: String) -> String { root.appendingPathComponent(name).path }

        func configuration(batchSize: Int = 8) -> Configuration {
            Configuration(configPath: path("config.json"), inboxPath: path("inbox"), outboxPath: path("outbox"), archivePath: path("archive"),
                          rejectedPath: path("rejected"), ledgerPath: path("ledger.csv"), workPath: path("inbox/.work"),
                          backbonePath: path("unused.safetensors"), modelPaths: [], decision: Decision(policy: .both, thresholds: [:]),
                          imageLimits: ImageLimits(), settleSeconds: 0, pollSeconds: 0, rescanSeconds: 30, ignorePatterns: [],
                          after: .archive, batchSize: batchSize, logLevel: .error, logFormat: .text)
        }

        func drop(_ name: String, _ bytes: [UInt8]) throws {
            try FileManager.default.createDirectory(atPath: path("inbox"), withIntermediateDirectories: true)
            try Data(bytes).write(to: root.appendingPathComponent("inbox/\(name)"))
        }

        func dropImage(_ name: String) throws {
            let image = RGBImage(width: 48, height: 40, pixels: (0..<(48 * 40 * 3)).map { UInt8(truncatingIfNeeded: $0 * 5 + name.utf8.reduce(0) { $0 &+ Int($1) }) })
            try drop(name, PNGEncoder.encode(image))
        }

        func run(_ screener: FakeScreener, batchSize: Int = 8) async throws {
            let service = WatchService(configuration: configuration(batchSize: batchSize), screener: screener,
                                       logger: Logger(label: "watch-service-test") { _ in SwiftLogNoOpLogHandler() }, once: true)
            try await service.run()
        }

        func rows() -> [LedgerRow] {
            guard let data = FileManager.default.contents(atPath: path("ledger.csv")) else { return [] }
            return CSV.parse(Array(data)).records.dropFirst().compactMap { LedgerRow(fields: $0, layout: LedgerLayout(modelNames: models.map(\.name))) }
        }

        func entries(_ folder: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: path(folder))) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        }
    }

    @Test func everyDecodedImageGetsTheScreenersVerdictInTheLedgerAndIsArchived() async throws {
        let spool = try Spool()
        defer { try? FileManager.default.removeItem(at: spool.root) }
        try spool.dropImage("a.png")
        try spool.dropImage("bb.png")
        try await spool.run(FakeScreener(Self.positive, models: Self.models))
        let rows = spool.rows().sorted { $0.inputFile < $1.inputFile }
        #expect(rows.map(\.inputFile) == ["a.png", "bb.png"], "\(rows.map(\.reason))")
        #expect(rows.allSatisfy { $0.status == .ok && $0.result == "POSITIVE" && $0.prob == 91 }, "\(rows.map(\.reason))")
        #expect(rows.first?.scores == ["fake_a": 0.91, "fake_b": 0.88])
        #expect(spool.entries("archive").count == 2 && spool.entries("inbox").isEmpty)
        #expect(spool.entries("outbox").count == 2)
    }

    @Test func anUndecodableFileIsRejectedWithoutReachingTheScreener() async throws {
        let spool = try Spool()
        defer { try? FileManager.default.removeItem(at: spool.root) }
        try spool.drop("notes.png", Array("not an image".utf8))
        let screener = FakeScreener(Self.positive, models: Self.models)
        try await spool.run(screener)
        #expect(screener.batchSizes.isEmpty, "the screener saw \(screener.batchSizes)")
        let row = try #require(spool.rows().first)
        #expect(row.status == .rejected && row.inputFile == "notes.png" && !row.reason.isEmpty)
        #expect(spool.entries("rejected").count == 1)
    }

    @Test func batchesNeverExceedTheConfiguredSize() async throws {
        let spool = try Spool()
        defer { try? FileManager.default.removeItem(at: spool.root) }
        for index in 0..<5 { try spool.dropImage("image\(index).png") }
        let screener = FakeScreener(Self.positive, models: Self.models)
        try await spool.run(screener, batchSize: 2)
        #expect(screener.batchSizes.reduce(0, +) == 5, "distinct images are all screened")
        #expect(screener.batchSizes.allSatisfy { (1...2).contains($0) }, "\(screener.batchSizes)")
    }

    @Test func theLedgerNamesTheScreenersModelsAndTheirThresholds() async throws {
        let spool = try Spool()
        defer { try? FileManager.default.removeItem(at: spool.root) }
        try spool.dropImage("a.png")
        try await spool.run(FakeScreener(Self.positive, models: Self.models))
        let header = try String(contentsOfFile: spool.path("ledger.csv"), encoding: .utf8).split(separator: "\n").first.map(String.init)
        #expect(header?.contains(",prob,fake_a,fake_b,policy,") == true, "\(header ?? "")")
        let row = try #require(spool.rows().first)
        #expect(row.models == "fake_a@aaaaaaaaaaaa;fake_b@bbbbbbbbbbbb")
        #expect(row.thresholds == "fake_a=0.4;fake_b=0.6")
    }
}
