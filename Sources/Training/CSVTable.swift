import CSVFormat
import Foundation

/// A CSV file with a header row (RFC 4180: quoted fields, doubled quotes, CRLF or LF).
public struct CSVTable: Sendable {
    public let file: String
    public let header: [String]
    public let rows: [[String]]

    /// Parses `text`; every row must have as many fields as the header.
    public init(text: String, file: String) throws(DatasetError) {
        var records = CSVTable.records(in: text)
        guard !records.isEmpty else { throw DatasetError(file: file, reason: "the CSV file is empty; it needs a header row") }
        header = records.removeFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        for (index, record) in records.enumerated() where record.count != header.count {
            throw DatasetError(file: file, reason: "row \(index + 2) has \(record.count) fields, but the header has \(header.count)")
        }
        self.file = file
        self.rows = records
    }

    public init(contentsOf path: String) throws(DatasetError) {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw DatasetError(file: path, reason: "cannot be read as UTF-8 text (\(error.localizedDescription))")
        }
        try self.init(text: text, file: path)
    }

    /// The index of a column, or a clear error naming the columns that are there.
    public func column(_ name: String) throws(DatasetError) -> Int {
        guard let index = header.firstIndex(of: name) else {
            throw DatasetError(file: file, reason: "has no column \"\(name)\" (columns: \(header.joined(separator: ", ")))")
        }
        return index
    }

    /// Fields of each record, the last one with or without its line end; blank lines are skipped.
    static func records(in text: String) -> [[String]] {
        var bytes = Array(text.utf8)
        if let last = bytes.last, last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        return CSV.parse(bytes).records.filter { $0 != [""] }
    }
}
