/// A configuration that cannot be used. `description` names the file, the key and what is wrong,
/// e.g. `config.json: key "outbox": /srv/in/out is inside the inbox /srv/in; ...`.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration file (or `command line` for an option).
    public let file: String
    /// The key at fault, e.g. `outbox`, `models[1]`, `thresholds.covid_normal`; nil for the file as a whole.
    public let key: String?
    public let reason: String

    public init(file: String, key: String?, reason: String) {
        self.file = file
        self.key = key
        self.reason = reason
    }

    public var description: String {
        if let key { return "configuration \(file): key \"\(key)\": \(reason)" }
        return "configuration \(file): \(reason)"
    }
}
