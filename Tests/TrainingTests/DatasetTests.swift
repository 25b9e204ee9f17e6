import CSVFormat
import Foundation
import Testing
import TestSupport
@testable import Training

@Suite struct DatasetTests {
    @Test func csvHandlesQuotesDoubledQuotesCRLFAndBlankLines() throws {
        let table = try CSVTable(text: "path,label\r\n\"a,b.png\",covid\r\n\r\n\"say \"\"hi\"\".png\",normal\nlast.png,x", file: "t.csv")
        #expect(table.header == ["path", "label"])
        #expect(table.rows == [["a,b.png", "covid"], ["say \"hi\".png", "normal"], ["last.png", "x"]])
        #expect(CSV.quoted("a,\"b\"") == "\"a,\"\"b\"\"\"")
    }

    @Test func csvRejectsRaggedRowsAndNamesTheFile() {
        #expect(throws: DatasetError.self) { try CSVTable(text: "path,label\na.png\n", file: "bad.csv") }
        do { _ = try CSVTable(text: "path,label\na.png\n", file: "bad.csv") } catch {
            #expect(error.file == "bad.csv")
            #expect(error.reason.contains("row 2"))
        }
    }

    @Test func manifestPathsAreRelativeToTheManifestAndFilteredByPrefix() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifest = folder.appendingPathComponent("INDEX.csv").path
        try "path,label,source,patient\ntrain/covid/a.png,covid,cohen,cohen:1\ntest/normal/b.png,normal,nih_cxr8,\ntrain/normal/c.png,normal,kermany,k:2\n"
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        let dataset = try Dataset.load(folders: [], manifests: [manifest], under: "train/")
        #expect(dataset.labels == ["covid", "normal"])
        #expect(dataset.images.map(\.path) == [folder.appendingPathComponent("train/covid/a.png").standardizedFileURL.path,
                                               folder.appendingPathComponent("train/normal/c.png").standardizedFileURL.path])
        #expect(dataset.images[0].source == "cohen")
        #expect(dataset.images[0].patient == "cohen:1")
        let all = try Dataset.load(folders: [], manifests: [manifest], labels: ["normal", "covid"])
        #expect(all.labels == ["normal", "covid"])
        #expect(all.images.count == 3)
        #expect(all.images[1].patient == nil)
        #expect(throws: DatasetError.self) { try Dataset.load(folders: [], manifests: [manifest], labels: ["pneumonia"]) }
        #expect(throws: DatasetError.self) { try Dataset.load(folders: [], manifests: [manifest], under: "nothing/") }
    }

    @Test func manifestWithoutLabelColumnIsAClearError() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifest = folder.appendingPathComponent("m.csv").path
        try "file,class\na.png,covid\n".write(toFile: manifest, atomically: true, encoding: .utf8)
        do { _ = try Dataset.load(folders: [], manifests: [manifest]); Issue.record("expected an error") } catch {
            #expect(error.reason.contains("no column \"path\""))
        }
    }

    @Test func classFoldersGiveLabelsFromFolderNamesAndIgnoreHiddenFiles() throws {
        let folder = try makeClassFolders(["covid": 3, "normal": 2])
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data().write(to: folder.appendingPathComponent("covid/.DS_Store"))
        let dataset = try Dataset.load(folders: [folder.path], manifests: [])
        #expect(dataset.labels == ["covid", "normal"])
        #expect(dataset.countsByLabel.map(\.count) == [3, 2])
        #expect(throws: DatasetError.self) { try dataset.validateForTraining(minimumPerClass: 10, origin: folder.path) }
        try dataset.validateForTraining(minimumPerClass: 2, origin: folder.path)
        let single = Dataset(images: dataset.images.filter { $0.label == "covid" }, labels: ["covid"])
        #expect(throws: DatasetError.self) { try single.validateForTraining(minimumPerClass: 1, origin: "x") }
    }

    @Test func splitIsStratifiedSeededAndKeepsPatientsTogether() {
        var images: [LabelledImage] = []
        for i in 0..<50 { images.append(LabelledImage(path: "/a/\(i)", label: "a", patient: "p\(i / 2)")) }
        for i in 0..<100 { images.append(LabelledImage(path: "/b/\(i)", label: "b")) }
        let dataset = Dataset(images: images, labels: ["a", "b"])
        let split = DataSplit(dataset, validationFraction: 0.2, seed: 42)
        #expect(split.training.count + split.validation.count == 150)
        #expect(split.validation.count { $0.label == "a" } == 10)
        #expect(split.validation.count { $0.label == "b" } == 20)
        let trainingPatients = Set(split.training.compactMap(\.patient)), validationPatients = Set(split.validation.compactMap(\.patient))
        #expect(trainingPatients.isDisjoint(with: validationPatients))
        #expect(DataSplit(dataset, validationFraction: 0.2, seed: 42) == split)
        #expect(DataSplit(dataset, validationFraction: 0.2, seed: 43) != split)
    }
}

/// Class folders with `count` small placeholder files each (content irrelevant where nothing is decoded).
func makeClassFolders(_ counts: [String: Int]) throws -> URL {
    let folder = try Fixtures.makeTemporaryDirectory()
    for (label, count) in counts {
        let classFolder = folder.appendingPathComponent(label)
        try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
        for i in 0..<count { try Data("\(label)-\(i)".utf8).write(to: classFolder.appendingPathComponent("\(i).png")) }
    }
    return folder
}
