import Foundation

/// Where the settings come from, lowest precedence first: the documented defaults, one configuration file,
/// `XRAYWATCH_<KEY>` environment variables, command-line options. Relative paths in the file resolve against
/// its folder; those in variables and options against the current folder.
public struct ConfigurationSources: Sendable {
    /// `--config`, when given.
    public var explicitFile: String?
    public var environment: [String: String]
    public var currentDirectory: String
    /// Folders holding the bundled backbone and models (for keys the configuration leaves out), searched
    /// after the configuration file's own `models/` folder: where `make install` put them, then the checkout
    /// the binary was built from. The executable knows these; the library does not guess.
    public var bundledModelFolders: [String]

    public init(explicitFile: String?, environment: [String: String] = [:],
                currentDirectory: String = FileManager.default.currentDirectoryPath, bundledModelFolders: [String] = []) {
        self.explicitFile = explicitFile
        self.environment = environment
        self.currentDirectory = currentDirectory
        self.bundledModelFolders = bundledModelFolders
    }

    /// Prefix of the environment variables that set keys (`XRAYWATCH_INBOX`, `XRAYWATCH_BATCH_SIZE`, ...).
    public static let environmentPrefix = "XRAYWATCH_"
    /// The variable naming the configuration file.
    public static let fileVariable = "XRAYWATCH_CONFIG"

    /// The configuration file to read: `--config`, else `$XRAYWATCH_CONFIG`, else `./config.json`, else
    /// `$XDG_CONFIG_HOME/xraywatch/config.json` (`~/.config` when unset), else `/etc/xraywatch/config.json`.
    /// nil when none of the implicit ones exists (defaults and variables only); an explicit one is returned
    /// even when missing, so that reading it fails naming it.
    public func configurationFile() -> String? {
        if let explicitFile { return PathResolution.absolute(explicitFile, relativeTo: currentDirectory) }
        if let named = environment[Self.fileVariable], !named.isEmpty { return PathResolution.absolute(named, relativeTo: currentDirectory) }
        return candidateFiles.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// The implicit places, in the order they are tried.
    public var candidateFiles: [String] {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let xdg = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        return [currentDirectory + "/config.json", xdg + "/xraywatch/config.json", "/etc/xraywatch/config.json"]
    }

    /// Keys whose value is text (a path or a name): a variable's value is taken as it is. Others are parsed as
    /// JSON (`XRAYWATCH_BATCH_SIZE=16`, `XRAYWATCH_MODELS='["a.json","b.json"]'`).
    static let textKeys: Set<String> = ["inbox", "outbox", "archive", "rejected", "ledger", "work", "backbone", "lungs", "refusal",
                                        "overlays", "outbox_image", "policy", "after", "log_level", "log_format",
                                        "backbone_precision"]
    static let pathKeys: Set<String> = ["inbox", "outbox", "archive", "rejected", "ledger", "work", "backbone", "lungs", "refusal", "overlays"]

    /// Values set by `XRAYWATCH_<KEY>` variables, paths made absolute against the current folder. Variables
    /// with that prefix that name no key (`XRAYWATCH_CONFIG`, or ones used by scripts) are not keys and are left alone.
    func environmentValues() throws(ConfigurationError) -> [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        for key in Configuration.knownKeys {
            let variable = Self.variable(for: key)
            guard let text = environment[variable] else { continue }
            if Self.textKeys.contains(key) {
                values[key] = .string(Self.pathKeys.contains(key) && !text.isEmpty ? PathResolution.absolute(text, relativeTo: currentDirectory) : text)
                continue
            }
            do { values[key] = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) } catch {
                throw ConfigurationError(file: "environment", key: key, reason: "\(variable)=\(text) is not a JSON value (a number, true/false, an array or an object)")
            }
            if key == "models", case .array(let items)? = values[key] {
                values[key] = .array(items.map { item in
                    if case .string(let path) = item { return .string(PathResolution.absolute(path, relativeTo: currentDirectory)) }
                    return item
                })
            }
        }
        return values
    }

    /// `XRAYWATCH_` + the key in capitals.
    public static func variable(for key: String) -> String { environmentPrefix + key.uppercased() }
}
