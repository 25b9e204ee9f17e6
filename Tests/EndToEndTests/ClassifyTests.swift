import Foundation
import Testing
import TestSupport

/// `xraywatch classify` run as a user would: the built binary, the bundled config, models and examples.
@Suite(.enabled(if: ShippedModels.present, ShippedModels.missing))
struct ClassifyTests {
    let examples = Fixtures.packageRoot.appendingPathComponent("examples")

    func exampleImages() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: examples.path)
            .filter { $0.hasSuffix(".png") || $0.hasSuffix(".jpg") || $0.hasSuffix(".jpeg") }.sorted()
    }

    @Test func jsonLinesForEveryExample() throws {
        let names = try exampleImages()
        let run = try Fixtures.runBinary(["classify", "--json", "examples"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let objects = try run.stdout.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == names.count)
        for (object, name) in zip(objects, names) {
            #expect((object["file"] as? String)?.hasSuffix(name) == true)
            let result = try #require(object["result"] as? String)
            #expect(["POSITIVE", "NEGATIVE"].contains(result))
            let prob = try #require(object["prob"] as? Int)
            #expect((50...100).contains(prob), "Prob is the confidence of the stated result")
            let models = try #require(object["models"] as? [String: Double])
            #expect(Set(models.keys) == ["covid_normal", "covid_pneumo"])
            #expect(models.values.allSatisfy { (0...1).contains($0) })
            // The default policy is `both`: positive exactly when both models are at or above 0.5.
            let bothYes = models.values.allSatisfy { $0 >= 0.5 }
            #expect((result == "POSITIVE") == bothYes)
        }
    }

    @Test func aBadFileIsReportedAndTheRestStillScreened() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = folder.appendingPathComponent("notes.png")
        try Data("not an image".utf8).write(to: bad)
        let good = examples.appendingPathComponent(try exampleImages()[0]).path
        let run = try Fixtures.runBinary(["classify", "--json", bad.path, good])
        #expect(run.status == 1)
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].contains("\"result\":\"ERROR\"") && lines[0].contains("notes.png"))
        #expect(lines[1].contains("\"result\":\"POSITIVE\"") || lines[1].contains("\"result\":\"NEGATIVE\""))
    }

    @Test func policyOptionChangesTheDecision() throws {
        let image = examples.appendingPathComponent(try exampleImages()[0]).path
        let either = try Fixtures.runBinary(["classify", "--json", "--policy", "either", image])
        let both = try Fixtures.runBinary(["classify", "--json", "--policy", "both", image])
        #expect(either.status == 0 && both.status == 0)
        // `either` is positive whenever `both` is.
        if both.stdout.contains("POSITIVE") { #expect(either.stdout.contains("POSITIVE")) }
        let unknown = try Fixtures.runBinary(["classify", "--policy", "nonsense", image])
        #expect(unknown.status == 64, "a bad option value is a usage error")
        #expect(unknown.stderr.contains("policy"))
    }

    @Test func aMissingConfigurationIsARuntimeErrorNamingIt() throws {
        let run = try Fixtures.runBinary(["classify", "--config", "/nonexistent/config.json", "x.png"])
        #expect(run.status == 1, "the command was typed right; the file is not there")
        #expect(run.stderr.contains("/nonexistent/config.json"))
        #expect(!run.stderr.contains("USAGE"))
    }

    /// From a folder with no config.json, with a HOME that has none either: the bundled models are found.
    @Test func classifyWorksFromAnyFolderAndNamesFilesAsGiven() throws {
        let folder = try Fixtures.makeTemporaryDirectory("anywhere")
        defer { try? FileManager.default.removeItem(at: folder) }
        let names = try exampleImages()
        for (index, name) in names.prefix(2).enumerated() {
            let classFolder = folder.appendingPathComponent(index == 0 ? "covid" : "normal/deeper")
            try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: examples.appendingPathComponent(name), to: classFolder.appendingPathComponent(name))
        }
        let run = try Fixtures.runBinary(["classify", "--json", "."], in: folder, environment: ["HOME": folder.path, "XRAYWATCH_CONFIG": ""])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let files = try run.stdout.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["file"] as? String
        }
        #expect(files == ["./covid/\(names[0])", "./normal/deeper/\(names[1])"], "sub-folders searched, paths as given")
    }

    @Test func aFolderWithoutImagesIsAnErrorNotSilence() throws {
        let folder = try Fixtures.makeTemporaryDirectory("empty")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("notes".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let run = try Fixtures.runBinary(["classify", folder.path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("\(folder.path): no image files"))
        #expect(run.stdout.isEmpty)
    }
}

/// The command line's contract: version, usage errors (64) apart from runtime failures (1).
struct CommandLineTests {
    @Test func versionIsPrinted() throws {
        let run = try Fixtures.runBinary(["--version"])
        #expect(run.status == 0)
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines).range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression) != nil, "\(run.stdout)")
    }

    @Test func usageErrorsExit64AndPrintUsage() throws {
        let run = try Fixtures.runBinary(["classify"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("USAGE") || run.stderr.contains("Usage"))
        let unknown = try Fixtures.runBinary(["watch", "--no-such-option"])
        #expect(unknown.status == 64)
    }

    @Test func aFailureWhileRunningExits1WithoutUsageText() throws {
        let run = try Fixtures.runBinary(["import-dataset", "--metadata", "/nonexistent/metadata.csv", "--images", "/nonexistent", "--manifest", "/tmp/never.csv"])
        #expect(run.status == 1, "stderr: \(run.stderr)")
        #expect(run.stderr.contains("/nonexistent/metadata.csv"))
        #expect(!run.stderr.contains("USAGE") && !run.stderr.contains("Usage:"))
    }
}

/// Whether the trained models the program ships are in models/ (they are committed; a checkout mid-way
/// through retraining may lack them).
enum ShippedModels {
    static var present: Bool {
        ["covid_normal.json", "covid_pneumo.json"].allSatisfy {
            FileManager.default.fileExists(atPath: Fixtures.packageRoot.appendingPathComponent("models/\($0)").path)
        }
    }
    static let missing: Comment = "skipped: models/covid_normal.json and covid_pneumo.json are absent; run `make models`"
}
