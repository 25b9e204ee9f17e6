import Glibc

/// What `lstat` says about a directory entry, without following symbolic links.
public struct FileStatus: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case regular, directory, symbolicLink, other }
    public let kind: Kind
    public let size: Int
    /// Modification time in nanoseconds since the epoch.
    public let modified: Int
    /// Status change time in nanoseconds since the epoch (changes on link/unlink/chmod too).
    public let changed: Int
    public let device: UInt64
    public let inode: UInt64
    public let linkCount: Int

    init(kind: Kind, size: Int, modified: Int, changed: Int, device: UInt64, inode: UInt64, linkCount: Int) {
        self.kind = kind; self.size = size; self.modified = modified; self.changed = changed
        self.device = device; self.inode = inode; self.linkCount = linkCount
    }

    init(_ s: stat) {
        switch s.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symbolicLink
        default: kind = .other
        }
        size = Int(s.st_size)
        modified = Int(s.st_mtim.tv_sec) * 1_000_000_000 + Int(s.st_mtim.tv_nsec)
        changed = Int(s.st_ctim.tv_sec) * 1_000_000_000 + Int(s.st_ctim.tv_nsec)
        device = UInt64(s.st_dev)
        inode = UInt64(s.st_ino)
        linkCount = Int(s.st_nlink)
    }
}
