import Foundation
import Imaging

/// Writes a radiograph with its lung outline (atomically) into a folder, for `classify --overlay` and the
/// watcher's `overlays` folder.
public enum LungOverlayFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let file: String
        public let reason: String
        public var description: String { "\(file): \(reason)" }
    }

    /// Writes `image` as PNG to `folder/name` (the folder is created); returns the path written.
    @discardableResult
    public static func write(_ image: RGBImage, named name: String, into folder: String) throws(WriteError) -> String {
        let destination = URL(fileURLWithPath: folder).appendingPathComponent(name).path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(try PNGEncoder.encode(image)).write(to: URL(fileURLWithPath: destination), options: .atomic)
        } catch {
            throw WriteError(file: destination, reason: "cannot be written (\(error))")
        }
        return destination
    }
}
