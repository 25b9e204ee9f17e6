import Foundation
import Testing
import TestSupport
@testable import Training

@Suite struct DatasetImportTests {
    /// A Cohen-style metadata.csv and its images folder.
    private func makeCollection() throws -> URL {
        let folder = try Fixtures.makeTemporaryDirectory("cohen")
        let images = folder.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        let rows = [
            ("1", "Pneumonia/Viral/COVID-19", "PA", "X-ray", "a.png"),
            ("1", "Pneumonia/Viral/COVID-19", "PA", "X-ray", "b.png"),
            ("2", "Pneumonia/Viral/COVID-19", "AP", "X-ray", "c.png"),      // wrong view
            ("3", "Pneumonia/Viral/COVID-19", "PA", "CT", "d.png"),         // wrong modality
            ("4", "Pneumonia/Bacterial/Streptococcus", "PA", "X-ray", "e.png"), // other finding
            ("5", "COVID-19", "pa", "x-ray", "f.png"),                      // case differs
            ("6", "Pneumonia/Viral/COVID-19", "PA", "X-ray", "g.png"),      // held out
            ("7", "Pneumonia/Viral/COVID-19", "PA", "X-ray", "missing.png"),
        ]
        var csv = "patientid,offset,finding,view,modality,date,filename,notes\n"
        for row in rows {
            csv += "\(row.0),,\(row.1),\(row.2),\(row.3),2020,\(row.4),\"note, with comma\"\n"
            if row.4 != "missing.png" { try Data(row.4.utf8).write(to: images.appendingPathComponent(row.4)) }
        }
        try csv.write(to: folder.appendingPathComponent("metadata.csv"), atomically: true, encoding: .utf8)
        try "# kept for testing\nimages/g.png\n".write(to: folder.appendingPathComponent("holdout.txt"), atomically: true, encoding: .utf8)
        return folder
    }

    private func job(_ folder: URL) -> DatasetImport {
        var job = DatasetImport(metadataPath: folder.appendingPathComponent("metadata.csv").path,
                                imagesFolder: folder.appendingPathComponent("images").path)
        job.modality = "X-ray"; job.view = "PA"; job.finding = "COVID-19"
        job.holdoutPath = folder.appendingPathComponent("holdout.txt").path
        return job
    }

    @Test func filtersByModalityViewAndFindingPartMinusHoldout() throws {
        let folder = try makeCollection()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (selected, heldOut) = try job(folder).select()
        #expect(selected.map(\.filename) == ["a.png", "b.png", "f.png", "missing.png"])
        #expect(selected.first?.patient == "1")
        #expect(heldOut == 1)
        #expect(job(folder).effectiveLabel == "covid")
    }

    @Test func copiesIntoTheClassFolderAndReportsMissingFiles() throws {
        let folder = try makeCollection()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("dataset")
        let summary = try job(folder).copy(into: out.path)
        #expect(summary.written == 3)
        #expect(summary.missing.count == 1 && summary.missing[0].hasSuffix("missing.png"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("covid").path).sorted() == ["a.png", "b.png", "f.png"])
        // Running again finds them in place; a different file of the same name is refused.
        #expect(try job(folder).copy(into: out.path).alreadyPresent == 3)
        let a = out.appendingPathComponent("covid/a.png")
        try FileManager.default.removeItem(at: a)
        try Data("other".utf8).write(to: a)
        #expect(throws: DatasetError.self) { try job(folder).copy(into: out.path) }
    }

    @Test func writesAManifestThatLoadsAsADataset() throws {
        let folder = try makeCollection()
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifest = folder.appendingPathComponent("covid.csv").path
        var importer = job(folder)
        importer.label = "covid"
        let summary = try importer.writeManifest(to: manifest)
        #expect(summary.written == 3)
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        #expect(text.hasPrefix("path,label,source,patient\nimages/a.png,covid,cohen,cohen:1\n"))
        let dataset = try Dataset.load(folders: [], manifests: [manifest])
        #expect(dataset.images.count == 3)
        #expect(dataset.images.allSatisfy { FileManager.default.fileExists(atPath: $0.path) })
    }

    @Test func unknownColumnIsAClearError() throws {
        let folder = try makeCollection()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "name,finding\na.png,COVID-19\n".write(to: folder.appendingPathComponent("metadata.csv"), atomically: true, encoding: .utf8)
        do { _ = try job(folder).select(); Issue.record("expected an error") } catch {
            #expect(error.reason.contains("filename"))
        }
    }
}
