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
            line = Self.jsonLine(time: time, level: event.level, message: "\(event.message)",
                                 metadata: metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }))
        }
        FileHandle.standardError.write(Data(line.utf8))
    }
}

extension StderrLogHandler {
    /// One JSON log line: the metadata as fields, plus `time`, `level` and `message`.
    static func jsonLine(time: String, level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var object: [String: Any] = metadata.mapValues(jsonValue)
        object["time"] = time
        object["level"] = level.rawValue
        object["message"] = message
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A metadata value as JSON: numbers and booleans given as `.stringConvertible` stay numbers and booleans
    /// (`"prob": 96`, not `"prob": "96"`); text stays text.
    static func jsonValue(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let convertible):
            switch convertible {
            case let number as Int: return number
            case let number as Double: return number.isFinite ? number : "\(number)"
            case let flag as Bool: return flag
            default: return "\(convertible)"
            }
        case .array(let items): return items.map(jsonValue)
        case .dictionary(let entries): return entries.mapValues(jsonValue)
        }
    }
}
