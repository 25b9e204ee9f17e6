/// A file name exactly as the filesystem stores it (bytes, not necessarily UTF-8), with a readable form
/// for logs and the ledger. All file operations use the bytes, so no name is ever mangled.
public struct FileName: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    /// The name for people (invalid UTF-8 shown as U+FFFD).
    public var description: String { String(decoding: bytes, as: UTF8.self) }

    public static func < (lhs: FileName, rhs: FileName) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    /// Calls `body` with the name as a NUL-terminated C string.
    func withCString<R>(_ body: (UnsafePointer<CChar>) -> R) -> R {
        (bytes + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }

    /// The name with `_n` inserted before its extension (`x.png` -> `x_2.png`, `README` -> `README_2`),
    /// used to avoid overwriting an existing file.
    public func numbered(_ n: Int) -> FileName {
        guard n > 1 else { return self }
        let suffix = Array("_\(n)".utf8)
        if let dot = bytes.lastIndex(of: UInt8(ascii: ".")), dot > 0 {
            return FileName(bytes: Array(bytes[..<dot]) + suffix + Array(bytes[dot...]))
        }
        return FileName(bytes: bytes + suffix)
    }

    /// The last path component (the name itself for a name without `/`): inputs from sub-folders of the
    /// inbox are named by their path relative to it (`ward3/scan.png`).
    public var lastComponent: FileName {
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return self }
        return FileName(bytes: Array(bytes[(slash + 1)...]))
    }

    /// The folders of a relative path, outermost first (`a/b/c.png` -> `a`, `a/b`).
    public var parentFolders: [FileName] {
        bytes.indices.filter { bytes[$0] == UInt8(ascii: "/") }.map { FileName(bytes: Array(bytes[..<$0])) }
    }

    /// `self/name`.
    public func appending(_ name: FileName) -> FileName { FileName(bytes: bytes + [UInt8(ascii: "/")] + name.bytes) }
}
