/// A stratified, seeded train/validation split that keeps each patient's images together.
public struct DataSplit: Sendable, Equatable {
    public var training: [LabelledImage]
    public var validation: [LabelledImage]

    /// Per label, whole patient groups (an image without a patient key is its own group) go to
    /// validation in seeded random order until about `validationFraction` of that label's images are there.
    public init(_ dataset: Dataset, validationFraction: Double, seed: UInt64) {
        var training: [LabelledImage] = [], validation: [LabelledImage] = []
        for (labelIndex, label) in dataset.labels.enumerated() {
            let images = dataset.images.filter { $0.label == label }
            var groups: [String: [LabelledImage]] = [:]
            for image in images { groups[image.patient.map { "patient:\($0)" } ?? "file:\(image.path)", default: []].append(image) }
            var keys = groups.keys.sorted()
            var random = SeededRandom(seed: seed, stream: 0x5B11_7000 + UInt64(labelIndex))
            random.shuffle(&keys)
            let target = Int((validationFraction * Double(images.count)).rounded())
            var taken = 0
            for key in keys {
                let group = groups[key]!
                if taken < target, taken + group.count <= max(target, 1) + group.count / 2 {
                    validation += group; taken += group.count
                } else {
                    training += group
                }
            }
        }
        let order = Dictionary(dataset.images.enumerated().map { ($1.path, $0) }, uniquingKeysWith: { a, _ in a })
        self.training = training.sorted { order[$0.path]! < order[$1.path]! }
        self.validation = validation.sorted { order[$0.path]! < order[$1.path]! }
    }

    /// Leave-one-source-out: every image from `source` validates, the rest trains. Recipes chosen this way
    /// are rewarded for working on a source they never saw, not for learning what the training sources look like.
    public init(_ dataset: Dataset, holdingOutSource source: String) {
        training = dataset.images.filter { $0.source != source }
        validation = dataset.images.filter { $0.source == source }
    }
}
