import Foundation
import Imaging
import Logging
import Screening

/// What happens to an input once it has its ledger row.
public enum AfterProcessing: String, Sendable, CaseIterable {
    /// Move it into the archive folder (the default).
    case archive
    /// Delete it.
    case delete
}

/// How log lines are written to stderr.
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

/// What the outbox copy of a screened image looks like.
public enum OutboxImage: String, Sendable, CaseIterable {
    /// The radiograph with the heatmap, lung outline and a band stating the verdict (`AnnotatedImage`).
    case annotated
    /// A faithful copy of the decoded input.
    case plain
    /// Both: the annotated image under the tutorial's name, the plain copy as `<that name>.plain.png`.
    case both
}

/// The watcher's settings, read from `config.json` (paths relative to that file's folder) with
/// command-line overrides, validated as a whole. Loading never creates folders; `xraywatch watch`
/// does that (`createFolders()`), so `xraywatch classify` can read models and policy from here.
public struct Configuration: Sendable {
    /// The configuration file this was read from (absolute).
    public let configPath: String
    public var inboxPath: String
    public var outboxPath: String
    public var archivePath: String
    public var rejectedPath: String
    public var ledgerPath: String
    /// Working folder holding the instances' claim folders; on the inbox's filesystem.
    public var workPath: String
    public var backbonePath: String
    /// The backbone's engine (`backbone_precision`): int8 where the CPU has VNNI, by default.
    public var backbonePrecision: BackbonePrecisionChoice = .auto
    /// Threads for the backbone (`workers`); nil (0 in the file): as many as the process may use.
    public var workers: Int? = nil
    public var modelPaths: [String]
    /// The lung segmenter's manifest; nil: no lung figures.
    public var lungsPath: String? = nil
    /// The refusal check's manifest (INDETERMINATE for images the models cannot judge); nil: every image is judged.
    public var refusalPath: String? = nil
    /// What the outbox copy looks like (`outbox_image`).
    public var outboxImage: OutboxImage = .annotated
    /// Folder for images with their lung outline drawn (`<outbox name>.lungs.png`); nil: none written.
    public var overlaysPath: String? = nil
    public var decision: Decision
    public var imageLimits: ImageLimits
    public var settleSeconds: Double
    /// 0: inotify (with a safety-net rescan every `rescanSeconds`); > 0: poll the inbox at this interval.
    public var pollSeconds: Double
    public var rescanSeconds: Double
    /// How long after its last change a truncated or corrupt input is taken as still being written (handed
    /// back to the inbox to settle again) rather than rejected.
    public var incompleteGraceSeconds: Double = 30
    /// Take files in sub-folders of the inbox too (inotify watches added as folders appear); false: sub-folders
    /// are left alone, with one warning each.
    public var recursive = false
    /// Extra glob patterns (fnmatch) of inbox names to leave alone, beyond hidden and partial-upload names.
    public var ignorePatterns: [String]
    public var after: AfterProcessing
    public var batchSize: Int
    /// Where `xraywatch serve` listens (the `http` section).
    public var http = HTTPSettings()
    /// Decoded pixels the pipeline may hold at once (its memory bound; an image larger than this is taken alone).
    public var maxPixelsInFlight: Int = 64_000_000
    public var logLevel: Logger.Level
    public var logFormat: LogFormat

    /// Every key a configuration file may hold.
    public static let knownKeys: [String] = [
        "inbox", "outbox", "archive", "rejected", "ledger", "work", "backbone", "models", "lungs", "refusal", "overlays", "outbox_image", "policy", "thresholds",
        "settle_seconds", "poll_seconds", "rescan_seconds", "incomplete_grace_seconds", "max_pixels", "max_bytes", "ignore", "after", "recursive",
        "batch_size", "max_pixels_in_flight", "log_level", "log_format", "http", "backbone_precision", "jpeg_decode_long_side", "workers",
    ]

    /// Reads and validates one configuration file (no environment variables, no bundled-model search beyond
    /// the file's own `models/` folder); `overrides` (command-line options) replace single keys.
    public static func load(from path: String, overriding overrides: ConfigurationOverrides = ConfigurationOverrides()) throws(ConfigurationError) -> Configuration {
        try load(ConfigurationSources(explicitFile: path), overriding: overrides)
    }

    /// Reads and validates the configuration from its sources (see `ConfigurationSources`): every key missing
    /// from all of them takes its documented default. Refuses unknown keys, wrong types and impossible values
    /// with an error naming the key and where it was set.
    public static func load(_ sources: ConfigurationSources, overriding overrides: ConfigurationOverrides = ConfigurationOverrides()) throws(ConfigurationError) -> Configuration {
        let file = sources.configurationFile()
        var values: [String: JSONValue] = [:]
        if let file { values = try readObject(file) }
        let fromEnvironment = try sources.environmentValues()
        for (key, value) in fromEnvironment { values[key] = value }
        for (key, value) in overrides.values(currentDirectory: sources.currentDirectory) { values[key] = value }
        let folder = file.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? sources.currentDirectory
        let reader = ConfigurationReader(file: file ?? Self.noFile, values: values, overridden: overrides.keys,
                                         fromEnvironment: Set(fromEnvironment.keys).subtracting(overrides.keys), folder: folder,
                                         modelFolders: [folder + "/models"] + sources.bundledModelFolders)
        return try reader.configuration()
    }

    /// What `configPath` says when no file was read.
    public static let noFile = "(no configuration file: defaults and XRAYWATCH_* variables)"

    /// The JSON object of a configuration file.
    private static func readObject(_ path: String) throws(ConfigurationError) -> [String: JSONValue] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ConfigurationError(file: path, key: nil, reason: "cannot be read (\(error.localizedDescription))")
        }
        let root: JSONValue
        do { root = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw ConfigurationError(file: path, key: nil, reason: "is not valid JSON (\(error))")
        }
        guard case .object(let values) = root else {
            throw ConfigurationError(file: path, key: nil, reason: "must hold a JSON object, not \(root.typeName)")
        }
        return values
    }

    /// Creates the inbox, outbox, archive, rejected, work and ledger folders when absent, and checks that the
    /// work folder shares the inbox's filesystem (claims are `rename()`s). Called by `watch`, never by `load`.
    public func createFolders() throws(ConfigurationError) {
        let folders: [(String, String)] = [
            ("inbox", inboxPath), ("outbox", outboxPath), ("archive", archivePath), ("rejected", rejectedPath),
            ("work", workPath), ("ledger", URL(fileURLWithPath: ledgerPath).deletingLastPathComponent().path),
        ]
        for (key, folder) in folders {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw ConfigurationError(file: configPath, key: key, reason: "folder \(folder) cannot be created (\(error.localizedDescription))")
            }
        }
        var inboxStat = stat(), workStat = stat()
        guard stat(inboxPath, &inboxStat) == 0, stat(workPath, &workStat) == 0 else {
            let code = errno
            throw ConfigurationError(file: configPath, key: "work", reason: "folder \(workPath) or the inbox cannot be examined (\(String(cString: strerror(code))))")
        }
        guard inboxStat.st_dev == workStat.st_dev else {
            throw ConfigurationError(file: configPath, key: "work", reason: "\(workPath) is on another filesystem than the inbox \(inboxPath); claims move files by rename(), so it must be on the same one")
        }
    }
}

/// Command-line options that replace single configuration keys. Paths are relative to the current folder.
public struct ConfigurationOverrides: Sendable {
    public var inbox: String?
    public var outbox: String?
    public var archive: String?
    public var rejected: String?
    public var ledger: String?
    public var pollSeconds: Double?
    public var settleSeconds: Double?
    public var policy: String?
    public var after: AfterProcessing?
    public var logLevel: String?
    public var logFormat: String?
    public var backbonePrecision: BackbonePrecisionChoice?

    public init(inbox: String? = nil, outbox: String? = nil, archive: String? = nil, rejected: String? = nil,
                ledger: String? = nil, pollSeconds: Double? = nil, settleSeconds: Double? = nil,
                policy: String? = nil, after: AfterProcessing? = nil, logLevel: String? = nil, logFormat: String? = nil,
                backbonePrecision: BackbonePrecisionChoice? = nil) {
        self.inbox = inbox; self.outbox = outbox; self.archive = archive; self.rejected = rejected
        self.ledger = ledger; self.pollSeconds = pollSeconds; self.settleSeconds = settleSeconds
        self.policy = policy; self.after = after; self.logLevel = logLevel; self.logFormat = logFormat
        self.backbonePrecision = backbonePrecision
    }

    /// The overridden keys.
    public var keys: Set<String> { Set(values(currentDirectory: "/").keys) }

    /// Overrides as configuration values; paths made absolute against `cwd` (not the config file's folder).
    func values(currentDirectory cwd: String) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        let paths: [(String, String?)] = [("inbox", inbox), ("outbox", outbox), ("archive", archive),
                                          ("rejected", rejected), ("ledger", ledger)]
        for case let (key, path?) in paths {
            result[key] = .string(PathResolution.absolute(path, relativeTo: cwd))
        }
        if let pollSeconds { result["poll_seconds"] = .number(pollSeconds) }
        if let settleSeconds { result["settle_seconds"] = .number(settleSeconds) }
        if let policy { result["policy"] = .string(policy) }
        if let after { result["after"] = .string(after.rawValue) }
        if let logLevel { result["log_level"] = .string(logLevel) }
        if let logFormat { result["log_format"] = .string(logFormat) }
        if let backbonePrecision { result["backbone_precision"] = .string(backbonePrecision.rawValue) }
        return result
    }
}

/// The `http` section: where `xraywatch serve` listens, and the bearer token it requires when that is not
/// the loopback interface.
public struct HTTPSettings: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Required on every route but `/healthz` when set; `serve` refuses a non-loopback host without one.
    public var token: String? = nil
    public init() {}

    /// 127.0.0.1, ::1 or localhost: only this machine can connect.
    public var isLoopback: Bool { ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.") }
}
