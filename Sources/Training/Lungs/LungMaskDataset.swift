import Foundation
import Imaging

/// One radiograph with a lung mask, as listed in the masks folder's `INDEX.csv`.
public struct LungMaskPair: Sendable, Equatable {
    /// Paths relative to the data root, as the index gives them (`train/covid/x.jpg`, `lung_masks/train/covid/x.png`).
    public var image: String
    public var mask: String
    /// `train`, `test` or `tutorial`.
    public var split: String
    /// Patient key from the data root's `INDEX.csv`, so validation keeps a patient's images together.
    public var patient: String?
}

/// An image and its mask, decoded and checked.
public struct LungExample: Sendable {
    public var pair: LungMaskPair
    public var image: RGBImage
    public var mask: BinaryMask
}

/// The image/mask pairs of a data root: `<masks>/INDEX.csv` (columns `path`, `image`, `split`), images and
/// masks under `root`.
public struct LungMaskDataset: Sendable {
    public let root: String
    public let pairs: [LungMaskPair]

    public init(root: String, masksIndex: String) throws(DatasetError) {
        let table = try CSVTable(contentsOf: masksIndex)
        let (maskColumn, imageColumn, splitColumn) = (try table.column("path"), try table.column("image"), try table.column("split"))
        let patients = Self.patients(root: root)
        self.root = root
        self.pairs = table.rows.map { row in
            LungMaskPair(image: row[imageColumn], mask: row[maskColumn], split: row[splitColumn], patient: patients[row[imageColumn]])
        }
        if pairs.isEmpty { throw DatasetError(file: masksIndex, reason: "lists no masks") }
    }

    public func pairs(in split: String) -> [LungMaskPair] { pairs.filter { $0.split == split } }

    /// Decodes an image and its mask. A mask that is not the image's size or not binary (0 and 255 only) is
    /// an error naming the mask file: a mask that does not fit its image would teach the wrong lungs.
    public func load(_ pair: LungMaskPair) throws(DatasetError) -> LungExample {
        let imagePath = path(pair.image), maskPath = path(pair.mask)
        let image: RGBImage, maskImage: RGBImage
        do { image = try ImageDecoder.decode(contentsOf: imagePath) } catch { throw DatasetError(file: imagePath, reason: error.description) }
        do { maskImage = try ImageDecoder.decode(contentsOf: maskPath) } catch { throw DatasetError(file: maskPath, reason: error.description) }
        guard maskImage.width == image.width, maskImage.height == image.height else {
            throw DatasetError(file: maskPath, reason: "mask is \(maskImage.width)x\(maskImage.height) but its image \(pair.image) is \(image.width)x\(image.height)")
        }
        if let stray = maskImage.pixels.first(where: { $0 != 0 && $0 != 255 }) {
            throw DatasetError(file: maskPath, reason: "mask is not binary (holds the value \(stray); only 0 and 255 are allowed)")
        }
        return LungExample(pair: pair, image: image, mask: BinaryMask(image: maskImage))
    }

    public func path(_ relative: String) -> String { URL(fileURLWithPath: root).appendingPathComponent(relative).path }

    /// `image path -> patient` from the root's `INDEX.csv`, if it has one.
    private static func patients(root: String) -> [String: String] {
        guard let table = try? CSVTable(contentsOf: URL(fileURLWithPath: root).appendingPathComponent("INDEX.csv").path),
              let path = try? table.column("path"), let patient = try? table.column("patient") else { return [:] }
        return Dictionary(table.rows.map { ($0[path], $0[patient]) }, uniquingKeysWith: { first, _ in first })
    }
}
