/// Where labelled images come from: class folders and/or CSV manifests, with the row and label selection
/// that `train` and `evaluate` share.
public struct DatasetSource: Sendable, Equatable {
    /// Folders with one sub-folder per class (folder name = label).
    public var folders: [String] = []
    /// CSV manifests with columns `path,label[,source,patient]`, paths relative to the CSV.
    public var manifests: [String] = []
    /// Keep manifest rows whose path starts with this, e.g. `train/`.
    public var under: String?
    /// Classes to keep, in output order (default: every label found, sorted).
    public var labels: [String]?

    public init(folders: [String] = [], manifests: [String] = [], under: String? = nil, labels: [String]? = nil) {
        self.folders = folders; self.manifests = manifests; self.under = under; self.labels = labels
    }

    /// The inputs, for reports and messages.
    public var inputs: [String] { folders + manifests }

    /// Reads the images; refuses an empty source before any work.
    public func load() throws(DatasetError) -> Dataset {
        guard !inputs.isEmpty else {
            throw DatasetError(file: "(options)", reason: "give --data FOLDER (one sub-folder per class) and/or --manifest CSV")
        }
        return try Dataset.load(folders: folders, manifests: manifests, under: under, labels: labels)
    }
}
