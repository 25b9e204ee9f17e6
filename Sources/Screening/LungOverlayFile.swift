import Foundation
import Imaging

/// Writes a radiograph with its lung outline as `FOLDER/<file name>.lungs.png` (atomically), for
/// `classify --overlay` and the watcher's `lung_overlays` folder.
public enum LungOverlayFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let file: String
        public let reason: String
        public var description: String { "\(file): \(reason)" }
    }

    /// Re-decodes `imageAt` (the verdict keeps no pixels) and writes its overlay; returns the path written.
    @discardableResult
    public static func write(_ findings: LungFindings, imageAt path: String, limits: ImageLimits, into folder: String) throws(WriteError) -> String {
        let image: RGBImage
        do { image = try ImageDecoder.decode(contentsOf: path, limits: limits) } catch { throw WriteError(file: path, reason: error.description) }
        return try write(findings.overlay(on: image), named: URL(fileURLWithPath: path).lastPathComponent + ".lungs.png", into: folder)
    }

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
