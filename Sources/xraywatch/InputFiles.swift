import Foundation

/// Turns command-line paths into the list of files to screen.
enum InputFiles {
    /// Names a folder's images go by; files named on the command line are taken whatever their name
    /// (decoding goes by content, not by extension).
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "jfif"]

    /// Files as given; a folder stands for its non-hidden images, sorted by name (not recursive).
    static func expand(_ paths: [String]) -> [String] {
        paths.flatMap { path -> [String] in
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue,
                  let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [path] }
            return names.filter { !$0.hasPrefix(".") && imageExtensions.contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) }.sorted()
                .map { URL(fileURLWithPath: path).appendingPathComponent($0).path }
        }
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(into size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: Swift.max(1, size)).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
