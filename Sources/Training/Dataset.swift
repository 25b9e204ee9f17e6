import Foundation

/// One labelled image file.
public struct LabelledImage: Sendable, Equatable, Codable {
    /// Absolute path of the file.
    public var path: String
    public var label: String
    /// Where the image comes from (a manifest's `source` column), for per-source results.
    public var source: String?
    /// Patient key (a manifest's `patient` column): images of one patient stay on one side of a split.
    public var patient: String?

    public init(path: String, label: String, source: String? = nil, patient: String? = nil) {
        self.path = path; self.label = label; self.source = source; self.patient = patient
    }
}

/// Labelled images from class folders and/or `path,label[,source,patient]` manifests, with the
/// class labels in model output order.
public struct Dataset: Sendable, Equatable {
    public var images: [LabelledImage]
    /// Class labels in output order.
    public var labels: [String]

    public init(images: [LabelledImage], labels: [String]) {
        self.images = images; self.labels = labels
    }

    /// Reads the inputs. `under` keeps manifest rows whose path starts with it (e.g. `train/`);
    /// `labels` keeps and orders those classes (default: every label found, sorted).
    public static func load(folders: [String], manifests: [String], under: String? = nil,
                            labels wanted: [String]? = nil) throws(DatasetError) -> Dataset {
        var images: [LabelledImage] = []
        for folder in folders { images += try fromClassFolders(folder) }
        for manifest in manifests { images += try fromManifest(manifest, under: under) }
        var seen = Set<String>()
        images = images.filter { seen.insert($0.path).inserted }
        let found = Set(images.map(\.label))
        let labels: [String]
        if let wanted {
            for label in wanted where !found.contains(label) {
                throw DatasetError(file: (folders + manifests).joined(separator: ", "),
                                   reason: "no images are labelled \"\(label)\" (labels found: \(found.sorted().joined(separator: ", ")))")
            }
            labels = wanted
            images = images.filter { wanted.contains($0.label) }
        } else {
            labels = found.sorted()
        }
        return Dataset(images: images, labels: labels)
    }

    /// One sub-folder per class; the folder name is the label; hidden files are ignored.
    static func fromClassFolders(_ folder: String) throws(DatasetError) -> [LabelledImage] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError(file: folder, reason: "is not a folder; a dataset is a folder with one sub-folder per class")
        }
        let root = URL(fileURLWithPath: folder).standardizedFileURL
        var images: [LabelledImage] = []
        for label in (try? manager.contentsOfDirectory(atPath: root.path))?.sorted() ?? [] where !label.hasPrefix(".") {
            let classFolder = root.appendingPathComponent(label)
            guard manager.fileExists(atPath: classFolder.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            for name in (try? manager.contentsOfDirectory(atPath: classFolder.path))?.sorted() ?? [] where !name.hasPrefix(".") {
                let file = classFolder.appendingPathComponent(name)
                if manager.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                    images.append(LabelledImage(path: file.path, label: label))
                }
            }
        }
        guard !images.isEmpty else {
            throw DatasetError(file: folder, reason: "holds no images in class sub-folders (expected e.g. \(folder)/covid/*.png)")
        }
        return images
    }

    /// A CSV manifest with columns `path,label` and optionally `source`, `patient`; paths are relative
    /// to the manifest's folder unless absolute.
    static func fromManifest(_ path: String, under: String?) throws(DatasetError) -> [LabelledImage] {
        let table = try CSVTable(contentsOf: path)
        let pathColumn = try table.column("path"), labelColumn = try table.column("label")
        let sourceColumn = table.header.firstIndex(of: "source"), patientColumn = table.header.firstIndex(of: "patient")
        let base = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent()
        var images: [LabelledImage] = []
        for (index, row) in table.rows.enumerated() {
            let relative = row[pathColumn], label = row[labelColumn].trimmingCharacters(in: .whitespaces)
            if let under, !relative.hasPrefix(under) { continue }
            guard !relative.isEmpty, !label.isEmpty else {
                throw DatasetError(file: path, reason: "row \(index + 2) has an empty path or label")
            }
            let absolute = relative.hasPrefix("/") ? relative : base.appendingPathComponent(relative).path
            let text = { (column: Int?) in column.map { row[$0] }.flatMap { $0.isEmpty ? nil : $0 } }
            images.append(LabelledImage(path: absolute, label: label, source: text(sourceColumn), patient: text(patientColumn)))
        }
        guard !images.isEmpty else {
            throw DatasetError(file: path, reason: under.map { "has no rows whose path starts with \"\($0)\"" } ?? "has no rows")
        }
        return images
    }

    /// Number of images per label, in label order.
    public var countsByLabel: [(label: String, count: Int)] {
        labels.map { label in (label, images.count { $0.label == label }) }
    }

    /// Checks what training needs: at least two classes with at least `minimum` images each.
    public func validateForTraining(minimumPerClass minimum: Int = 10, origin: String) throws(DatasetError) {
        guard labels.count >= 2 else {
            throw DatasetError(file: origin, reason: "training needs at least 2 classes, found \(labels.count) (\(labels.joined(separator: ", ")))")
        }
        let small = countsByLabel.filter { $0.count < minimum }
        guard small.isEmpty else {
            let list = small.map { "\($0.label): \($0.count)" }.joined(separator: ", ")
            throw DatasetError(file: origin, reason: "every class needs at least \(minimum) images; too few in \(list)")
        }
    }
}
