import Foundation
import Imaging
import Logging
import Screening

/// Turns the raw JSON object of a configuration file into a validated `Configuration`, naming the key
/// at fault in every error.
struct ConfigurationReader {
    let file: String
    let values: [String: JSONValue]
    /// Keys set on the command line, mentioned in errors so the user looks in the right place.
    let overridden: Set<String>
    /// Keys set by `XRAYWATCH_<KEY>` environment variables (mentioned in errors too).
    var fromEnvironment: Set<String> = []
    /// The configuration file's folder (the current folder without a file): relative paths start here.
    let folder: String
    /// Where the bundled backbone and models are looked for, in order, for keys left out.
    var modelFolders: [String] = []

    /// Defaults of the five locations, relative to `folder`.
    static let defaultLocations = ["inbox": "spool/inbox", "outbox": "spool/outbox", "archive": "spool/archive",
                                   "rejected": "spool/rejected", "ledger": "spool/ledger.csv"]
    /// File names of the bundled backbone and models in a models folder.
    static let bundledBackbone = "vgg16_imagenet_notop.safetensors"
    static let bundledModels = ["covid_normal.json", "covid_pneumo.json"]

    func configuration() throws(ConfigurationError) -> Configuration {
        let known = Set(Configuration.knownKeys)
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
            throw error(unknown, "unknown key; the known keys are \(Configuration.knownKeys.joined(separator: ", "))")
        }
        let inbox = try location("inbox")
        let outbox = try location("outbox")
        let archive = try location("archive")
        let rejected = try location("rejected")
        let ledger = try location("ledger")
        let bundle = bundledModelFolder()
        let work = try optionalLocation("work") ?? inbox + "/.xraywatch-work"
        try checkFolders(inbox: inbox, others: [("outbox", outbox), ("archive", archive), ("rejected", rejected)])
        try checkLedger(ledger, inbox: inbox)
        try checkWork(work, inbox: inbox)

        var backbone = try optionalLocation("backbone") ?? ""
        if backbone.isEmpty { backbone = try bundled(Self.bundledBackbone, in: bundle, key: "backbone") }
        try requireFile(backbone, key: "backbone")
        var modelValues: [JSONValue]
        switch values["models"] {
        case .array(let items)?: modelValues = items
        case nil:
            modelValues = []
            for name in Self.bundledModels { modelValues.append(.string(try bundled(name, in: bundle, key: "models"))) }
        case let other?: throw error("models", "must be an array of model manifest paths, not \(other.typeName)")
        }
        guard !modelValues.isEmpty else { throw error("models", "needs at least one model manifest") }
        var modelPaths: [String] = []
        var modelNames: [String] = []
        for (index, value) in modelValues.enumerated() {
            let key = "models[\(index)]"
            guard case .string(let text) = value, !text.isEmpty else { throw error(key, "must be a non-empty string, not \(value.typeName)") }
            let path = PathResolution.absolute(text, relativeTo: folder)
            try requireFile(path, key: key)
            modelPaths.append(path)
            modelNames.append(try modelName(path, key: key))
        }
        if let repeated = modelNames.first(where: { name in modelNames.filter { $0 == name }.count > 1 }) {
            throw error("models", "two manifests are both named \"\(repeated)\"; model names must be unique")
        }

        // The bundled segmenter and refusal check come with the bundled models: a configuration that names its
        // own models names these too (or gets none).
        let modelsBundled = values["models"] == nil
        let lungs = try optionalLocation("lungs", bundled: modelsBundled ? "lungs.json" : nil, in: bundle)
        if let lungs { try requireFile(lungs, key: "lungs") }
        let refusal = try optionalLocation("refusal", bundled: modelsBundled && lungs != nil ? "refusal.json" : nil, in: bundle)
        if let refusal {
            if lungs == nil { throw error("refusal", "needs the lung segmenter: set \"lungs\" too") }
            try requireFile(refusal, key: "refusal")
        }
        let overlays = try optionalLocation("overlays")
        if let overlays {
            if lungs == nil { throw error("overlays", "needs the lung segmenter: set \"lungs\" too") }
            try checkFolders(inbox: inbox, others: [("overlays", overlays)])
        }

        let policy = DecisionPolicy(try string("policy", default: "both"))
        if case .only(let name) = policy, !modelNames.contains(name) {
            throw error("policy", "\"\(name)\" is neither both, either nor a configured model (\(modelNames.joined(separator: ", ")))")
        }
        var thresholds: [String: Double] = [:]
        switch values["thresholds"] {
        case nil: break
        case .object(let entries)?:
            for (name, value) in entries {
                let key = "thresholds.\(name)"
                guard modelNames.contains(name) else { throw error(key, "names no configured model (\(modelNames.joined(separator: ", ")))") }
                guard case .number(let threshold) = value else { throw error(key, "must be a number, not \(value.typeName)") }
                guard threshold > 0, threshold < 1 else { throw error(key, "must lie strictly between 0 and 1, not \(threshold)") }
                thresholds[name] = threshold
            }
        case let other?: throw error("thresholds", "must be an object of model name to threshold, not \(other.typeName)")
        }

        let settle = try number("settle_seconds", default: 1.0, minimum: 0, minimumIncluded: true)
        let poll = try number("poll_seconds", default: 0, minimum: 0, minimumIncluded: true)
        let rescan = try number("rescan_seconds", default: 30, minimum: 0, minimumIncluded: false)
        let incompleteGrace = try number("incomplete_grace_seconds", default: 30, minimum: 0, minimumIncluded: true)
        let maxPixels = try integer("max_pixels", default: 64_000_000, range: 1...Int(Int32.max))
        let maxBytes = try integer("max_bytes", default: 256 << 20, range: 1...(1 << 40))
        let jpegDecodeLongSide = try integer("jpeg_decode_long_side", default: 2048, range: 0...(1 << 20))
        let batchSize = try integer("batch_size", default: 8, range: 1...256)
        let pixelsInFlight = try integer("max_pixels_in_flight", default: 64_000_000, range: 1...(1 << 40))
        let ignore = try patterns("ignore")
        let recursive = try boolean("recursive", default: false)
        let http = try httpSettings()
        let after = try choice("after", default: AfterProcessing.archive)
        let logLevel = try choice("log_level", default: "info", among: ["debug", "info", "warning", "error"])
        let logFormat = try choice("log_format", default: LogFormat.text)
        let outboxImage = try choice("outbox_image", default: OutboxImage.annotated)
        let backbonePrecision = try choice("backbone_precision", default: BackbonePrecisionChoice.auto)
        let workers = try integer("workers", default: 0, range: 0...1024)

        return Configuration(
            configPath: file, inboxPath: inbox, outboxPath: outbox, archivePath: archive, rejectedPath: rejected,
            ledgerPath: ledger, workPath: work, backbonePath: backbone, backbonePrecision: backbonePrecision, workers: workers == 0 ? nil : workers, modelPaths: modelPaths, lungsPath: lungs, refusalPath: refusal, outboxImage: outboxImage, overlaysPath: overlays,
            decision: Decision(policy: policy, thresholds: thresholds),
            imageLimits: ImageLimits(maxPixels: maxPixels, maxBytes: maxBytes, jpegDecodeLongSide: jpegDecodeLongSide),
            settleSeconds: settle, pollSeconds: poll, rescanSeconds: rescan, incompleteGraceSeconds: incompleteGrace, recursive: recursive, ignorePatterns: ignore, after: after,
            batchSize: batchSize, http: http, maxPixelsInFlight: pixelsInFlight, logLevel: Logger.Level(rawValue: logLevel)!, logFormat: logFormat)
    }

    // MARK: Locations

    /// One of the five locations, its default when absent.
    private func location(_ key: String) throws(ConfigurationError) -> String {
        if let path = try optionalLocation(key) { return path }
        return PathResolution.canonical(PathResolution.absolute(Self.defaultLocations[key]!, relativeTo: folder))
    }

    /// The first models folder holding the bundled backbone (nil when none does).
    private func bundledModelFolder() -> String? {
        modelFolders.first { FileManager.default.fileExists(atPath: $0 + "/" + Self.bundledBackbone) }
    }

    /// A bundled file for a key the configuration leaves out.
    private func bundled(_ name: String, in bundle: String?, key: String) throws(ConfigurationError) -> String {
        guard let bundle else {
            throw error(key, "is not set, and no bundled \(Self.bundledBackbone) was found in \(modelFolders.joined(separator: ", "))")
        }
        return bundle + "/" + name
    }

    /// An optional file: its path when set, none for JSON `null`, and when absent the bundled `name` if given
    /// and the bundle has it.
    private func optionalLocation(_ key: String, bundled name: String?, in bundle: String?) throws(ConfigurationError) -> String? {
        if values[key] == .null { return nil }
        if let path = try optionalLocation(key) { return path }
        guard let name, let bundle, FileManager.default.fileExists(atPath: bundle + "/" + name) else { return nil }
        return bundle + "/" + name
    }

    private func optionalLocation(_ key: String) throws(ConfigurationError) -> String? {
        switch values[key] {
        case nil: return nil
        case .string(let text)? where !text.isEmpty:
            return PathResolution.canonical(PathResolution.absolute(text, relativeTo: folder))
        case let other?: throw error(key, "must be a non-empty path string, not \(other.typeName)")
        }
    }

    /// The four folders must be distinct, and none of the others may lie inside the inbox (its outputs would
    /// be taken as new inputs).
    private func checkFolders(inbox: String, others: [(String, String)]) throws(ConfigurationError) {
        for (key, path) in others {
            if path == inbox { throw error(key, "\(path) is the inbox itself; it must be a separate folder") }
            if PathResolution.isInside(path, inbox) { throw error(key, "\(path) is inside the inbox \(inbox); put it next to the inbox, not in it") }
            if PathResolution.isInside(inbox, path) { throw error(key, "the inbox \(inbox) is inside \(path); put them side by side") }
        }
        for (index, (key, path)) in others.enumerated() {
            for (otherKey, otherPath) in others[(index + 1)...] where otherPath == path {
                throw error(otherKey, "\(path) is also the \(key) folder; each location needs its own folder")
            }
        }
    }

    private func checkLedger(_ ledger: String, inbox: String) throws(ConfigurationError) {
        if PathResolution.isInside(ledger, inbox) { throw error("ledger", "\(ledger) is inside the inbox \(inbox); it would be taken as an input") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: ledger, isDirectory: &isDirectory), isDirectory.boolValue {
            throw error("ledger", "\(ledger) is a folder; name the CSV file, e.g. \(ledger)/ledger.csv")
        }
    }

    private func checkWork(_ work: String, inbox: String) throws(ConfigurationError) {
        if work == inbox { throw error("work", "\(work) is the inbox itself; use a folder such as \(inbox)/.xraywatch-work") }
        if PathResolution.isInside(work, inbox) {
            let relative = work.dropFirst(inbox.count + 1)
            guard relative.split(separator: "/").first?.hasPrefix(".") == true else {
                throw error("work", "\(work) is inside the inbox but not hidden; its files would be taken as inputs (start its name with a dot)")
            }
        }
    }

    private func requireFile(_ path: String, key: String) throws(ConfigurationError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw error(key, "file \(path) does not exist")
        }
        if isDirectory.boolValue { throw error(key, "\(path) is a folder, not a file") }
    }

    /// The `name` in a model manifest, so `policy` and `thresholds` can be checked against it.
    private func modelName(_ path: String, key: String) throws(ConfigurationError) -> String {
        do {
            return try JSONDecoder().decode(ModelManifest.self, from: Data(contentsOf: URL(fileURLWithPath: path))).name
        } catch {
            throw self.error(key, "\(path) is not a readable model manifest (\(error))")
        }
    }

    // MARK: Scalars

    private func string(_ key: String, default fallback: String) throws(ConfigurationError) -> String {
        switch values[key] {
        case nil: return fallback
        case .string(let text)? where !text.isEmpty: return text
        case let other?: throw error(key, "must be a non-empty string, not \(other.typeName)")
        }
    }

    /// The `http` object: `host` (string), `port` (0...65535; 0 picks a free one), `token` (string or null).
    private func httpSettings() throws(ConfigurationError) -> HTTPSettings {
        var settings = HTTPSettings()
        switch values["http"] {
        case nil: return settings
        case .object(let entries)?:
            for (name, value) in entries {
                let key = "http.\(name)"
                switch (name, value) {
                case ("host", .string(let host)) where !host.isEmpty: settings.host = host
                case ("port", .number(let port)) where port.rounded() == port && (0...65535).contains(port): settings.port = Int(port)
                case ("token", .string(let token)) where token.count >= 16: settings.token = token
                case ("token", .null): settings.token = nil
                case ("host", _): throw error(key, "must be a host name or address")
                case ("port", _): throw error(key, "must be a whole number from 0 to 65535")
                case ("token", _): throw error(key, "must be a string of at least 16 characters, or null")
                default: throw error(key, "unknown key; the http section has host, port and token")
                }
            }
            return settings
        case let other?: throw error("http", "must be an object with host, port and token, not \(other.typeName)")
        }
    }

    private func boolean(_ key: String, default fallback: Bool) throws(ConfigurationError) -> Bool {
        switch values[key] {
        case nil: return fallback
        case .bool(let value)?: return value
        case let other?: throw error(key, "must be true or false, not \(other.typeName)")
        }
    }

    private func choice(_ key: String, default fallback: String, among allowed: [String]) throws(ConfigurationError) -> String {
        let value = try string(key, default: fallback)
        guard allowed.contains(value) else { throw error(key, "must be one of \(allowed.joined(separator: ", ")), not \"\(value)\"") }
        return value
    }

    private func choice<T: RawRepresentable & CaseIterable>(_ key: String, default fallback: T) throws(ConfigurationError) -> T where T.RawValue == String {
        T(rawValue: try choice(key, default: fallback.rawValue, among: T.allCases.map(\.rawValue)))!
    }

    private func number(_ key: String, default fallback: Double, minimum: Double, minimumIncluded: Bool) throws(ConfigurationError) -> Double {
        switch values[key] {
        case nil: return fallback
        case .number(let value)?:
            guard value.isFinite, minimumIncluded ? value >= minimum : value > minimum else {
                throw error(key, "must be a number \(minimumIncluded ? "at least" : "greater than") \(minimum), not \(value)")
            }
            return value
        case let other?: throw error(key, "must be a number of seconds, not \(other.typeName)")
        }
    }

    private func integer(_ key: String, default fallback: Int, range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        switch values[key] {
        case nil: return fallback
        case .number(let value)?:
            guard value.rounded() == value, value >= Double(range.lowerBound), value <= Double(range.upperBound) else {
                throw error(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(value)")
            }
            return Int(value)
        case let other?: throw error(key, "must be a whole number, not \(other.typeName)")
        }
    }

    private func patterns(_ key: String) throws(ConfigurationError) -> [String] {
        switch values[key] {
        case nil: return []
        case .array(let items)?:
            var result: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let pattern) = item, !pattern.isEmpty else { throw error("\(key)[\(index)]", "must be a non-empty glob pattern string, not \(item.typeName)") }
                result.append(pattern)
            }
            return result
        case let other?: throw error(key, "must be an array of glob patterns, not \(other.typeName)")
        }
    }

    // MARK: Errors

    private func error(_ key: String, _ reason: String) -> ConfigurationError {
        let root = String(key.prefix { $0 != "." && $0 != "[" })
        let origin = overridden.contains(root) ? " (set on the command line)"
            : fromEnvironment.contains(root) ? " (set by \(ConfigurationSources.variable(for: root)))" : ""
        return ConfigurationError(file: file, key: key, reason: reason + origin)
    }
}
