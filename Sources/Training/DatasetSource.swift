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

    /// Refuses a source without any folder or manifest, before any work.
    public func validate() throws(SettingError) {
        try SettingError.check(!inputs.isEmpty, .dataSource, "", "at least one class folder or CSV manifest")
    }

    /// Reads the images; throws `SettingError` for an empty source, `DatasetError` for unusable inputs.
    public func load() throws -> Dataset {
        try validate()
        return try Dataset.load(folders: folders, manifests: manifests, under: under, labels: labels)
    }
}
