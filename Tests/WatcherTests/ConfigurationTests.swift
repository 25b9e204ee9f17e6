import Foundation
import Testing
import Screening
import TestSupport
@testable import Watcher

/// A temporary folder with a backbone file, two model manifests and a config file written from JSON text.
struct ConfigurationSandbox {
    let root: URL

    init() throws {
        root = try Fixtures.makeTemporaryDirectory("watcher-config")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("models"), withIntermediateDirectories: true)
        try Data("not really weights".utf8).write(to: root.appendingPathComponent("models/backbone.safetensors"))
        for name in ["covid_normal", "covid_pneumo"] {
            try Data(Self.manifest(name: name).utf8).write(to: root.appendingPathComponent("models/\(name).json"))
        }
    }

    static func manifest(name: String) -> String {
        """
        {"name": "\(name)", "version": "1", "description": "test", "labels": ["covid", "other"],
         "positiveLabel": "covid", "threshold": 0.5,
         "preprocessing": {"resize": "area", "normalisation": "caffe", "size": 224},
         "backbone": {"name": "vgg16_imagenet_notop", "sha256": "00"}, "head": [],
         "weights": {"file": "\(name).safetensors", "sha256": "00"}, "training": {}}
        """
    }

    /// The base configuration as key -> JSON text, so tests can replace or drop single keys.
    static let base: [String: String] = [
        "inbox": "\"spool/inbox\"", "outbox": "\"spool/outbox\"", "archive": "\"spool/archive\"",
        "rejected": "\"spool/rejected\"", "ledger": "\"spool/ledger.csv\"",
        "backbone": "\"models/backbone.safetensors\"",
        "models": "[\"models/covid_normal.json\", \"models/covid_pneumo.json\"]",
    ]

    /// Writes the base configuration with `changes` applied (nil removes a key) and loads it.
    func load(_ changes: [String: String?] = [:], overrides: ConfigurationOverrides = ConfigurationOverrides()) throws(ConfigurationError) -> Configuration {
        var entries = Self.base
        for (key, value) in changes { entries[key] = value }
        let text = "{" + entries.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
        let path = root.appendingPathComponent("config.json").path
        try! Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try Configuration.load(from: path, overriding: overrides)
    }

    /// The error of loading with `changes`, or nil when it loads.
    func error(_ changes: [String: String?], overrides: ConfigurationOverrides = ConfigurationOverrides()) -> ConfigurationError? {
        do { _ = try load(changes, overrides: overrides); return nil } catch { return error }
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

@Suite struct ConfigurationTests {
    @Test func bundledDefaultParsesAndResolvesRelativeToItsFolder() throws {
        let sandbox = try ConfigurationSandbox()
        defer { sandbox.remove() }
        let configuration = try sandbox.load()
        let root = PathResolution.canonical(sandbox.root.path)
        #expect(configuration.inboxPath == root + "/spool/inbox")
        #expect(configuration.outboxPath == root + "/spool/outbox")
        #expect(configuration.ledgerPath == root + "/spool/ledger.csv")
        #expect(configuration.workPath == root + "/spool/inbox/.xraywatch-work")
        #expect(configuration.modelPaths == [root + "/models/covid_normal.json", root + "/models/covid_pneumo.json"])
        #expect(configuration.settleSeconds == 1.0)
        #expect(configuration.pollSeconds == 0)
        #expect(configuration.batchSize == 8)
        #expect(configuration.after == .archive)
        #expect(configuration.imageLimits.maxPixels == 64_000_000)
        #expect(configuration.decision.policy == .both)
        #expect(!FileManager.default.fileExists(atPath: configuration.inboxPath), "load must not create folders")
    }

    @Test func repositoryConfigHasOnlyKnownKeys() throws {
        let data = try Data(contentsOf: Fixtures.packageRoot.appendingPathComponent("config.json"))
        guard case .object(let values) = try JSONDecoder().decode(JSONValue.self, from: data) else {
            Issue.record("config.json is not an object"); return
        }
        #expect(Set(values.keys).isSubset(of: Set(Configuration.knownKeys)))
        for key in ["inbox", "outbox", "archive", "rejected", "ledger"] { #expect(values[key] != nil, "missing \(key)") }
    }

    @Test func unknownKeyIsNamed() throws {
        let sandbox = try ConfigurationSandbox()
        defer { sandbox.remove() }
        let error = try #require(sandbox.error(["settle_secs": "2"]))
        #expect(error.key == "settle_secs")
        #expect(error.description.contains("unknown key"))
        #expect(error.description.contains(sandbox.root.lastPathComponent))
    }

    @Test(arguments: [
        ("settle_seconds", "\"1\""), ("poll_seconds", "true"), ("max_pixels", "1.5"), ("batch_size", "\"8\""),
        ("inbox", "3"), ("models", "\"models/covid_normal.json\""), ("ignore", "\"*.dcm\""), ("after", "1"),
        ("thresholds", "[0.5]"),
    ])
    func wrongTypeIsNamed(key: String, json: String) throws {
        let sandbox = try ConfigurationSandbox()
        defer { sandbox.remove() }
        let error = try #require(sandbox.error([key: json]))
        #expect(error.key == key)
    }

    @Test(arguments: [
        ("settle_seconds", "-1", "settle_seconds"), ("rescan_seconds", "0", "rescan_seconds"),
        ("batch_size", "0", "batch_size"), ("after", "\"shred\"", "after"), ("log_level", "\"loud\"", "log_level"),
        ("log_format", "\"xml\"", "log_format"), ("policy", "\"majority\"", "policy"),
        ("thresholds", "{\"covid_normal\": 1.5}", "thresholds.covid_normal"),
        ("thresholds", "{\"covid_other\": 0.5}", "thresholds.covid_other"),
        ("models", "[]", "models"),
    ])
    func impossibleValueIsNamed(key: String, json: String, expectedKey: String) throws {
        let sandbox = try ConfigurationSandbox()
        defer { sandbox.remove() }
        let error = try #require(sandbox.error([key: json]))
        #expect(error.key == expectedKey)
    }

    @Test func everyMissingLocationTakesItsDefaultBesideTheFile() throws {
        let sandbox = try ConfigurationSandbox()
        defer { sandbox.remove() }
        let configuration = try sandbox.load(["inbox": "\"in\"", "outbox": nil, "archive": nil, "rejected": nil, "ledger": nil])
        let root = PathResolution.canonical(sandbox.root.path)
        #expect(configuration.inboxPath == root + "/in")
        #expect(configuration.outboxPath == root + "/spool/outbox")
        #expect(configuration.ledgerPath == root + "/spool/ledger.csv")
        #expect(configuration.batchSize == 8 && configuration.settleSeconds == 1 && configuration.decision.policy == .both)
    }

    @Test func outboxInsideInboxIsRefused() throws {
        let sandbox = try ConfigurationSandbox()
        defer { sandbox.remove() }
        let error = try #require(sandbox.error(["outbox": "\"spool/inbox/out\""]))
        #expect(error.key == "outbox")
        #expect(error.reason.contains("inside the inbox"))
        #expect(sandbox.error(["archive": "\"spool/inbox/../inbox/a\""])?.key == "archive")
        #expect(sandbox.error(["ledger": "\"spool/inbox/ledger.csv\""])?.key == "ledger")
        #expect(sandbox.error(["rejected": "\"spool/outbox\""])?.key == "rejected")
        #expect(sandbox.error(["work": "\"spool/inbox/work\""])?.key == "work")
    }

    @Test func missingModelFileIsNamed() throws {
        let sandbox = try ConfigurationSandbox()
        defer { sandbox.remove() }
        let error = try #require(sandbox.error(["models": "[\"models/covid_normal.json\", \"models/nope.json\"]"]))
        #expect(error.key == "models[1]")
        #expect(error.reason.contains("nope.json"))
        #expect(sandbox.error(["backbone": "\"models/missing.safetensors\""])?.key == "backbone")
    }

    @Test func policyNamingAModelAndThresholdsAreAccepted() throws {
        let sandbox = try ConfigurationSandbox()
        defer { sandbox.remove() }
        let configuration = try sandbox.load(["policy": "\"covid_pneumo\"", "thresholds": "{\"covid_pneumo\": 0.7}"])
        #expect(configuration.decision.policy == .only("covid_pneumo"))
        #expect(configuration.decision.threshold(for: "covid_pneumo") == 0.7)
        #expect(configuration.decision.threshold(for: "covid_normal") == 0.5)
    }

    @Test func commandLineOverridesSingleKeysWithPathsFromTheCurrentFolder() throws {
        let sandbox = try ConfigurationSandbox()
        defer { sandbox.remove() }
        let overrides = ConfigurationOverrides(inbox: "/tmp/xw-elsewhere/in", pollSeconds: 2.5, policy: "either", after: .delete, logFormat: "json")
        let configuration = try sandbox.load(overrides: overrides)
        #expect(configuration.inboxPath == PathResolution.canonical("/tmp/xw-elsewhere/in"))
        #expect(configuration.workPath == PathResolution.canonical("/tmp/xw-elsewhere/in") + "/.xraywatch-work")
        #expect(configuration.pollSeconds == 2.5)
        #expect(configuration.decision.policy == .either)
        #expect(configuration.after == .delete)
        #expect(configuration.logFormat == .json)
        let error = try #require(sandbox.error([:], overrides: ConfigurationOverrides(settleSeconds: -3)))
        #expect(error.key == "settle_seconds")
        #expect(error.reason.contains("command line"))
    }

    @Test func createFoldersMakesEveryLocation() throws {
        let sandbox = try ConfigurationSandbox()
        defer { sandbox.remove() }
        let configuration = try sandbox.load()
        try configuration.createFolders()
        for path in [configuration.inboxPath, configuration.outboxPath, configuration.archivePath,
                     configuration.rejectedPath, configuration.workPath] {
            #expect(FileManager.default.fileExists(atPath: path))
        }
    }
}

/// Configuration from anywhere: the file's places, `XRAYWATCH_*` variables, the bundled models.
@Suite struct ConfigurationSourcesTests {
    /// A folder laid out like an installation: `share/models` with the bundled backbone and models.
    static func bundle(in root: URL) throws -> String {
        let models = root.appendingPathComponent("share/models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try Data("weights".utf8).write(to: models.appendingPathComponent("vgg16_imagenet_notop.safetensors"))
        for name in ["covid_normal", "covid_pneumo"] {
            try Data(ConfigurationSandbox.manifest(name: name).utf8).write(to: models.appendingPathComponent("\(name).json"))
        }
        try Data("{}".utf8).write(to: models.appendingPathComponent("lungs.json"))
        return models.path
    }

    @Test func theFirstExistingPlaceIsReadAndAnExplicitOneWins() throws {
        let root = try Fixtures.makeTemporaryDirectory("config-places")
        defer { try? FileManager.default.removeItem(at: root) }
        let home = root.appendingPathComponent("home"), work = root.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".config/xraywatch"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let user = home.appendingPathComponent(".config/xraywatch/config.json").path
        try Data("{}".utf8).write(to: URL(fileURLWithPath: user))
        var sources = ConfigurationSources(explicitFile: nil, environment: ["HOME": home.path], currentDirectory: work.path)
        #expect(sources.configurationFile() == user, "no ./config.json: the user's")
        try Data("{}".utf8).write(to: work.appendingPathComponent("config.json"))
        #expect(sources.configurationFile() == work.path + "/config.json", "./config.json before the user's")
        sources.environment["XRAYWATCH_CONFIG"] = "other.json"
        #expect(sources.configurationFile() == work.path + "/other.json", "XRAYWATCH_CONFIG before both")
        sources.explicitFile = "/x/given.json"
        #expect(sources.configurationFile() == "/x/given.json", "--config before everything")
        #expect(ConfigurationSources(explicitFile: nil, environment: ["HOME": "/nonexistent"], currentDirectory: "/nonexistent").configurationFile() == nil)
    }

    @Test func withoutAnyFileTheDefaultsAndTheBundledModelsAreUsed() throws {
        let root = try Fixtures.makeTemporaryDirectory("config-none")
        defer { try? FileManager.default.removeItem(at: root) }
        let models = try Self.bundle(in: root)
        let sources = ConfigurationSources(explicitFile: nil, environment: ["HOME": root.path], currentDirectory: root.path,
                                           bundledModelFolders: [root.path + "/nowhere", models])
        let configuration = try Configuration.load(sources)
        #expect(configuration.configPath == Configuration.noFile)
        #expect(configuration.backbonePath == models + "/vgg16_imagenet_notop.safetensors")
        #expect(configuration.modelPaths == [models + "/covid_normal.json", models + "/covid_pneumo.json"])
        #expect(configuration.lungsPath == models + "/lungs.json", "a bundled segmenter is used when the configuration leaves lungs out")
        #expect(configuration.refusalPath == nil, "no bundled refusal check here")
        #expect(configuration.inboxPath.hasSuffix("/spool/inbox"))
        // No bundle anywhere: the error names the key and where it looked.
        let error = #expect(throws: ConfigurationError.self) {
            try Configuration.load(ConfigurationSources(explicitFile: nil, environment: ["HOME": root.path], currentDirectory: root.path + "/empty"))
        }
        #expect(error?.key == "backbone")
        #expect(error?.reason.contains("no bundled vgg16_imagenet_notop.safetensors") == true)
    }

    @Test func everyKeyCanBeSetByAVariableAndErrorsNameIt() throws {
        let sandbox = try ConfigurationSandbox()
        defer { sandbox.remove() }
        _ = try sandbox.load()
        let file = sandbox.root.appendingPathComponent("config.json").path
        let cwd = PathResolution.canonical(sandbox.root.path) + "/elsewhere"
        let environment = ["XRAYWATCH_INBOX": "drop", "XRAYWATCH_BATCH_SIZE": "16", "XRAYWATCH_POLICY": "either",
                           "XRAYWATCH_IGNORE": "[\"*.tmp\"]", "XRAYWATCH_SHARED": "not a key, left alone"]
        let configuration = try Configuration.load(ConfigurationSources(explicitFile: file, environment: environment, currentDirectory: cwd))
        #expect(configuration.inboxPath == cwd + "/drop", "relative to the current folder, not the file's")
        #expect(configuration.batchSize == 16)
        #expect(configuration.decision.policy == .either)
        #expect(configuration.ignorePatterns == ["*.tmp"])
        // Command-line options beat variables.
        let overridden = try Configuration.load(ConfigurationSources(explicitFile: file, environment: environment, currentDirectory: cwd),
                                                overriding: ConfigurationOverrides(policy: "both"))
        #expect(overridden.decision.policy == .both)
        let error = #expect(throws: ConfigurationError.self) {
            try Configuration.load(ConfigurationSources(explicitFile: file, environment: ["XRAYWATCH_BATCH_SIZE": "0"], currentDirectory: cwd))
        }
        #expect(error?.key == "batch_size")
        #expect(error?.reason.contains("set by XRAYWATCH_BATCH_SIZE") == true)
    }

    @Test func nullTurnsTheBundledSegmenterOff() throws {
        let root = try Fixtures.makeTemporaryDirectory("config-null")
        defer { try? FileManager.default.removeItem(at: root) }
        let models = try Self.bundle(in: root)
        let file = root.appendingPathComponent("config.json").path
        try Data("{\"lungs\": null}".utf8).write(to: URL(fileURLWithPath: file))
        let configuration = try Configuration.load(ConfigurationSources(explicitFile: file, currentDirectory: root.path, bundledModelFolders: [models]))
        #expect(configuration.lungsPath == nil)
    }
}

@Suite struct BackbonePrecisionConfigurationTests {
    @Test func defaultsToAutoAndTakesEachChoice() throws {
        let sandbox = try ConfigurationSandbox()
        defer { sandbox.remove() }
        #expect(try sandbox.load().backbonePrecision == .auto)
        for choice in BackbonePrecisionChoice.allCases {
            #expect(try sandbox.load(["backbone_precision": "\"\(choice.rawValue)\""]).backbonePrecision == choice)
        }
        #expect(try sandbox.load(["backbone_precision": "\"int8\""], overrides: ConfigurationOverrides(backbonePrecision: .fp32)).backbonePrecision == .fp32)
    }

    @Test func workersDefaultToTheMachineAndTakeACount() throws {
        let sandbox = try ConfigurationSandbox()
        defer { sandbox.remove() }
        #expect(try sandbox.load().workers == nil)
        #expect(try sandbox.load(["workers": "0"]).workers == nil)
        #expect(try sandbox.load(["workers": "3"]).workers == 3)
        #expect(sandbox.error(["workers": "-1"])?.key == "workers")
    }

    @Test func anUnknownPrecisionIsNamed() throws {
        let sandbox = try ConfigurationSandbox()
        defer { sandbox.remove() }
        let error = try #require(sandbox.error(["backbone_precision": "\"bf16\""]))
        #expect(error.key == "backbone_precision")
        #expect("\(error)".contains("auto, fp32, int8"))
    }
}
