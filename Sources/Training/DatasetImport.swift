import CSVFormat
import Foundation

/// Builds a class folder (or a manifest) from a Cohen-style `metadata.csv` (columns `finding`,
/// `modality`, `view`, `filename`, optionally `patientid`), as in the tutorial's Part 1.
public struct DatasetImport: Sendable {
    public var metadataPath: String
    /// Folder holding the files named in the `filename` column.
    public var imagesFolder: String
    /// Keep rows whose modality equals this (case-insensitive), e.g. `X-ray`.
    public var modality: String?
    /// Keep rows whose view equals this (case-insensitive), e.g. `PA`.
    public var view: String?
    /// Keep rows where any `/`-separated part of `finding` equals this (case-insensitive), e.g. `COVID-19`.
    public var finding: String?
    /// File listing file names (one per line, `#` comments) to leave out, e.g. images kept for testing.
    public var holdoutPath: String?
    /// Class label for the selected images (default: the finding, lowercased).
    public var label: String?
    /// Source name written to a manifest's `source` column.
    public var source = "cohen"

    public init(metadataPath: String, imagesFolder: String) {
        self.metadataPath = metadataPath; self.imagesFolder = imagesFolder
    }

    /// One selected row.
    public struct Selection: Sendable, Equatable {
        public var filename: String
        public var patient: String?
    }

    /// What an import did.
    public struct Summary: Sendable, Equatable {
        public var selected = 0
        public var heldOut = 0
        /// Selected files not present in the images folder (named, never silently dropped).
        public var missing: [String] = []
        public var written = 0
        /// Already present with identical content.
        public var alreadyPresent = 0
    }

    public var effectiveLabel: String {
        label ?? finding.map { $0.lowercased().replacingOccurrences(of: "-19", with: "").replacingOccurrences(of: " ", with: "_") } ?? "images"
    }

    /// The rows passing the filters, minus held-out files, in file order, without duplicates.
    public func select() throws(DatasetError) -> (selected: [Selection], heldOut: Int) {
        let table = try CSVTable(contentsOf: metadataPath)
        let filename = try table.column("filename")
        let modalityColumn = try modality.map { _ throws(DatasetError) in try table.column("modality") }
        let viewColumn = try view.map { _ throws(DatasetError) in try table.column("view") }
        let findingColumn = try finding.map { _ throws(DatasetError) in try table.column("finding") }
        let patientColumn = table.header.firstIndex(of: "patientid")
        let holdout = try holdoutNames()
        func same(_ a: String, _ b: String) -> Bool { a.trimmingCharacters(in: .whitespaces).caseInsensitiveCompare(b) == .orderedSame }
        var selected: [Selection] = [], seen = Set<String>(), heldOut = 0
        for row in table.rows {
            if let modality, let column = modalityColumn, !same(row[column], modality) { continue }
            if let view, let column = viewColumn, !same(row[column], view) { continue }
            if let finding, let column = findingColumn,
               !row[column].split(separator: "/").contains(where: { same(String($0), finding) }) { continue }
            let name = row[filename].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, seen.insert(name).inserted else { continue }
            if holdout.contains(name) { heldOut += 1; continue }
            selected.append(Selection(filename: name, patient: patientColumn.map { row[$0] }.flatMap { $0.isEmpty ? nil : $0 }))
        }
        return (selected, heldOut)
    }

    private func holdoutNames() throws(DatasetError) -> Set<String> {
        guard let holdoutPath else { return [] }
        let text: String
        do { text = try String(contentsOfFile: holdoutPath, encoding: .utf8) } catch {
            throw DatasetError(file: holdoutPath, reason: "the hold-out list cannot be read (\(error.localizedDescription))")
        }
        return Set(text.split(whereSeparator: \.isNewline).map { line in
            // Entries may be bare names or paths; match on the file name.
            (line.trimmingCharacters(in: .whitespaces) as NSString).lastPathComponent
        }.filter { !$0.isEmpty && !$0.hasPrefix("#") })
    }

    /// Hard-links (or copies, across file systems) the selected images into `<out>/<label>/`.
    /// Refuses to replace a different file of the same name (`DatasetError`); throws `WriteError` when a file
    /// or folder cannot be written.
    public func copy(into outputFolder: String) throws -> Summary {
        let (selected, heldOut) = try select()
        var summary = Summary(selected: selected.count, heldOut: heldOut)
        let manager = FileManager.default
        let target = URL(fileURLWithPath: outputFolder).appendingPathComponent(effectiveLabel)
        try ModelWriter.createFolder(target.path)
        for item in selected {
            let source = URL(fileURLWithPath: imagesFolder).appendingPathComponent(item.filename)
            let destination = target.appendingPathComponent((item.filename as NSString).lastPathComponent)
            guard manager.fileExists(atPath: source.path) else { summary.missing.append(source.path); continue }
            if manager.fileExists(atPath: destination.path) {
                guard manager.contentsEqual(atPath: source.path, andPath: destination.path) else {
                    throw DatasetError(file: destination.path, reason: "already exists with other content; remove it or import into another folder")
                }
                summary.alreadyPresent += 1
                continue
            }
            do {
                do { try manager.linkItem(at: source, to: destination) } catch { try manager.copyItem(at: source, to: destination) }
            } catch {
                throw WriteError(path: destination.path, step: .write, cause: error)
            }
            summary.written += 1
        }
        return summary
    }

    /// Writes a `path,label,source,patient` manifest of the selected images instead of copying them;
    /// paths are relative to the manifest's folder when the images lie below it.
    /// Throws `DatasetError` for an unusable metadata file, `WriteError` when the manifest cannot be written.
    public func writeManifest(to manifestPath: String) throws -> Summary {
        let (selected, heldOut) = try select()
        var summary = Summary(selected: selected.count, heldOut: heldOut)
        let base = URL(fileURLWithPath: manifestPath).standardizedFileURL.deletingLastPathComponent().path + "/"
        var lines = ["path,label,source,patient"]
        for item in selected {
            let absolute = URL(fileURLWithPath: imagesFolder).appendingPathComponent(item.filename).standardizedFileURL.path
            guard FileManager.default.fileExists(atPath: absolute) else { summary.missing.append(absolute); continue }
            let path = absolute.hasPrefix(base) ? String(absolute.dropFirst(base.count)) : absolute
            let patient = item.patient.map { "\(source):\($0)" } ?? ""
            lines.append([path, effectiveLabel, source, patient].map(CSV.quoted).joined(separator: ","))
            summary.written += 1
        }
        try ModelWriter.writeText(lines.joined(separator: "\n") + "\n", to: manifestPath)
        return summary
    }
}
