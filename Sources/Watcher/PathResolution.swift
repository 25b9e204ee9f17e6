import Foundation

/// Lexical and filesystem path helpers used to resolve configured locations.
enum PathResolution {
    /// `path` made absolute against `base` (when relative), with `.` and `..` removed.
    static func absolute(_ path: String, relativeTo base: String) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The path with symbolic links resolved in its longest existing prefix, so that two spellings of
    /// one folder compare equal even before the folder itself exists.
    static func canonical(_ absolutePath: String) -> String {
        var existing = absolutePath
        var rest: [String] = []
        while existing != "/" {
            if let resolved = realpath(existing, nil) {
                defer { free(resolved) }
                let head = String(cString: resolved)
                return rest.isEmpty ? head : (head == "/" ? "" : head) + "/" + rest.reversed().joined(separator: "/")
            }
            let url = URL(fileURLWithPath: existing)
            rest.append(url.lastPathComponent)
            existing = url.deletingLastPathComponent().path
        }
        return "/" + rest.reversed().joined(separator: "/")
    }

    /// True when `inner` is `outer` or lies below it (both canonical).
    static func isInside(_ inner: String, _ outer: String) -> Bool {
        inner == outer || inner.hasPrefix(outer == "/" ? "/" : outer + "/")
    }
}
