import ArgumentParser
import Training

/// Options naming labelled images and the feature cache, shared by `train` and `evaluate`.
struct DatasetOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: "Folder with one sub-folder per class (repeatable).")
    var dataFolders: [String] = []
    @Option(name: .customLong("manifest"), help: "CSV manifest with columns path,label[,source,patient] (repeatable).")
    var manifests: [String] = []
    @Option(help: "Use only manifest rows whose path starts with this prefix, e.g. train/ or test/.")
    var under: String?
    @Option(help: "Classes to use, comma-separated; for train also their output order, e.g. covid,normal (default: all, sorted).")
    var labels: String?
    @Option(help: "Feature cache folder.")
    var cache: String = ".xraywatch-cache"
    @Flag(help: "Do not read or write the feature cache.")
    var noCache = false

    var source: DatasetSource {
        DatasetSource(folders: dataFolders, manifests: manifests, under: under,
                      labels: labels.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
    }

    var cacheFolder: String? { noCache ? nil : cache }
}
