/// A model already at the output path that this run would replace although it is not the same model: the
/// file is no model manifest, or its labels differ. Forcing the run replaces it.
public struct ExistingModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The manifest in the way.
    public let manifestPath: String
    /// Its labels; nil when the file is not a model manifest.
    public let existingLabels: [String]?
    /// The labels of this run.
    public let runLabels: [String]

    public init(manifestPath: String, existingLabels: [String]?, runLabels: [String]) {
        self.manifestPath = manifestPath; self.existingLabels = existingLabels; self.runLabels = runLabels
    }

    public var description: String {
        guard let existingLabels else { return "\(manifestPath): exists and is not a model manifest" }
        return "\(manifestPath): exists with labels \(existingLabels.joined(separator: ",")), but this run's labels are \(runLabels.joined(separator: ","))"
    }
}
