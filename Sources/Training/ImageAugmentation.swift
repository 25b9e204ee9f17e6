import Imaging

// Bridges to the Imaging target's photometric and zoom augmentations; its API is landing in
// parallel, so until it does these are rejected up front (AugmentationSettings requires 0).
enum ImageAugmentation {
    static let available = false
    static func scaledAboutCentre(_ image: RGBImage, factor: Double) -> RGBImage {
        preconditionFailure("scale augmentation needs the Imaging implementation")
    }
    static func adjusted(_ image: RGBImage, contrast: Double, brightness: Double) -> RGBImage {
        preconditionFailure("contrast/brightness augmentation needs the Imaging implementation")
    }
}
