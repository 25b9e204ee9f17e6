import ArgumentParser
import Foundation
import Screening
import Watcher

/// Reads the configuration for a command: `--config`, else `XRAYWATCH_CONFIG`, else `./config.json`, else the
/// user's and the system's (see `ConfigurationSources`), with `XRAYWATCH_*` variables and the command's options
/// on top, and the bundled models found wherever this program was installed or built.
enum ConfigurationLoader {
    static func load(file: String?, overrides: ConfigurationOverrides = ConfigurationOverrides()) throws -> Configuration {
        let sources = ConfigurationSources(explicitFile: file, environment: ProcessInfo.processInfo.environment,
                                           bundledModelFolders: bundledModelFolders)
        do {
            return try Configuration.load(sources, overriding: overrides)
        } catch {
            // A bad value typed on the command line is a usage error (exit 64); one from a file or a variable is not.
            if let key = error.key, overrides.keys.contains(String(key.prefix { $0 != "." && $0 != "[" })) {
                throw ValidationError(error.description)
            }
            throw error
        }
    }

    /// Where the bundled backbone and models are, after the configuration file's own `models/` folder:
    /// `<prefix>/share/xraywatch/models` for a binary installed as `<prefix>/bin/xraywatch` (`make install`),
    /// then the `models/` folder of the checkout this binary was built from.
    static var bundledModelFolders: [String] {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0].contains("/") ? CommandLine.arguments[0] : executablePath())
            .resolvingSymlinksInPath()
        let prefix = binary.deletingLastPathComponent().deletingLastPathComponent()
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return [prefix.appendingPathComponent("share/xraywatch/models").path, checkout.appendingPathComponent("models").path]
    }

    private static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/usr/local/bin/xraywatch"
    }
}
