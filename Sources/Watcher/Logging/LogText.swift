import Logging

extension StderrLogHandler {
    /// Width of the level column: the longest level name (`critical`), so no name is ever cut.
    static let levelWidth = Logger.Level.allCases.map(\.rawValue.count).max() ?? 8

    /// One text log line: time, level padded to `levelWidth`, message with control characters escaped.
    static func textLine(time: String, level: Logger.Level, message: String) -> String {
        let name = level.rawValue
        return "\(time) \(name)\(String(repeating: " ", count: max(0, levelWidth - name.count))) \(escapingControlCharacters(message))\n"
    }

    /// The text with every control character (C0, DEL, C1, and the Unicode line and paragraph separators)
    /// written as an escape: `\n`, `\r`, `\t`, or `\u{1B}`; a backslash is doubled so escapes are unambiguous.
    static func escapingControlCharacters(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\\": result += "\\\\"
            case _ where scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}":
                result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
