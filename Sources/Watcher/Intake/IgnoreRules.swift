import Glibc

/// Which inbox names are left alone: hidden files (which also covers rsync's `.name.XXXXXX` temporaries
/// and the work folder), partial-upload names, and the configured glob patterns.
public struct IgnoreRules: Sendable {
    /// Endings that upload tools give a file while it is still being written.
    public static let partialSuffixes = [".part", ".partial", ".filepart", ".tmp", ".crdownload", ".download", "~"]

    public let patterns: [String]

    public init(patterns: [String] = []) { self.patterns = patterns }

    /// True when the watcher must not touch this name (for a file in a sub-folder, judged by its own name).
    public func ignores(_ path: FileName) -> Bool {
        let name = path.lastComponent
        if name.bytes.first == UInt8(ascii: ".") { return true }
        let text = name.description
        let lowered = text.lowercased()
        if Self.partialSuffixes.contains(where: { lowered.hasSuffix($0) }) { return true }
        return patterns.contains { pattern in fnmatch(pattern, text, 0) == 0 }
    }
}
