import Foundation

/// Turns command-line paths into the list of files to screen.
enum InputFiles {
    /// Names a folder's images go by; files named on the command line are taken whatever their name
    /// (decoding goes by content, not by extension).
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "jfif"]

    /// The files to screen, and the folders that held none.
    struct Expansion {
        var files: [String] = []
        var foldersWithoutImages: [String] = []
    }

    /// Files as given; a folder stands for the non-hidden images in it and in its sub-folders (class
    /// folders such as `covid/`, `normal/`), sorted by path. Paths keep the spelling the user gave.
    static func expand(_ paths: [String]) -> Expansion {
        var expansion = Expansion()
        for path in paths {
            guard isFolder(path) else { expansion.files.append(path); continue }
            let found = images(under: path)
            if found.isEmpty { expansion.foldersWithoutImages.append(path) }
            expansion.files += found
        }
        return expansion
    }

    private static func images(under folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let base = folder.hasSuffix("/") ? folder : folder + "/"
        return names.filter { !$0.hasPrefix(".") }.sorted().flatMap { name -> [String] in
            let path = base + name
            if isRealFolder(path) { return images(under: path) }
            return imageExtensions.contains(URL(fileURLWithPath: name).pathExtension.lowercased()) ? [path] : []
        }
    }

    /// A folder, or a symbolic link to one (a path the user gave).
    private static func isFolder(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
    }

    /// A folder itself, not a link to one: links inside a tree are not followed (no cycles).
    private static func isRealFolder(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeDirectory
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(into size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: Swift.max(1, size)).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
