import Foundation

/// RFC 4180 CSV: fields quoted when they hold a comma, quote, CR or LF (quotes doubled), records ended
/// by CRLF. Also neutralises text a spreadsheet would run as a formula.
public enum CSV {
    /// One record, CRLF-terminated.
    public static func record(_ fields: [String]) -> String {
        fields.map(quoted).joined(separator: ",") + "\r\n"
    }

    /// A field quoted when needed.
    public static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Text that starts like a formula (`=`, `+`, `-`, `@`, or a tab/CR that some programs skip) gets a
    /// leading apostrophe, so a spreadsheet shows it instead of running it.
    public static func neutralised(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return text }
        return "'" + text
    }

    /// The result of parsing: complete records, how many bytes they span, and whether the unparsed
    /// rest (a torn last record) ends inside a quoted field.
    public struct Parsed: Sendable, Equatable {
        public var records: [[String]]
        /// Bytes up to and including the last complete record's line end.
        public var consumed: Int
        /// True when the bytes after `consumed` stop inside quotes (repair must close the quote).
        public var restIsInsideQuotes: Bool
    }

    /// Parses complete records (each ended by LF, optionally CRLF, outside quotes). A last record without
    /// its line end is left out: it is torn (a crash mid-write) or still being written.
    public static func parse(_ bytes: some Collection<UInt8>) -> Parsed {
        var records: [[String]] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var afterQuote = false   // just saw the closing quote of a quoted field
        var consumed = 0
        var offset = 0
        for byte in bytes {
            offset += 1
            if inQuotes {
                if byte == UInt8(ascii: "\"") { inQuotes = false; afterQuote = true } else { field.append(byte) }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                if afterQuote { field.append(byte); inQuotes = true; afterQuote = false }   // doubled quote
                else { inQuotes = true }
            case UInt8(ascii: ","):
                fields.append(String(decoding: field, as: UTF8.self)); field = []; afterQuote = false
            case UInt8(ascii: "\n"):
                if field.last == UInt8(ascii: "\r") && !afterQuote { field.removeLast() }
                fields.append(String(decoding: field, as: UTF8.self))
                records.append(fields)
                fields = []; field = []; afterQuote = false
                consumed = offset
            case UInt8(ascii: "\r") where afterQuote:
                continue
            default:
                field.append(byte); afterQuote = false
            }
        }
        return Parsed(records: records, consumed: consumed, restIsInsideQuotes: inQuotes)
    }
}
