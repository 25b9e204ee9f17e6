import Foundation
import Logging

/// A swift-log handler writing one line per message to stderr: human-readable text
/// (`2026-11-27T09:14:03.123Z info     message`) or one JSON object per line with the metadata as fields.
/// Text lines escape control characters (a newline in a file name cannot forge a log line).
public struct StderrLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public let format: LogFormat
    public let label: String

    public init(label: String, format: LogFormat, level: Logger.Level) {
        self.label = label
        self.format = format
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let time = LedgerRow.timestamp()
        let line: String
        switch format {
        case .text:
            line = Self.textLine(time: time, level: event.level, message: "\(event.message)")
        case .json:
            var object: [String: String] = [:]
            for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { object[key] = "\(value)" }
            object["time"] = time
            object["level"] = event.level.rawValue
            object["message"] = "\(event.message)"
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            line = String(decoding: data, as: UTF8.self) + "\n"
        }
        FileHandle.standardError.write(Data(line.utf8))
    }
}
