import Glibc
import Imaging

/// An open directory: every operation is relative to its descriptor (`openat`, `renameat`, `linkat`...),
/// takes names as raw bytes, never follows a symbolic link, and goes through `syscalls` (EINTR retried,
/// faults injectable in tests). Subfolders opened from it use the same `syscalls`.
public final class Directory: Sendable {
    public let path: String
    let descriptor: Int32
    let syscalls: SystemCalls

    /// Opens an existing directory (refusing a symbolic link at the last component).
    public init(path: String, syscalls: SystemCalls = .live) throws(SystemError) {
        let fd = syscalls.run(.open) { Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW) }
        guard fd >= 0 else { throw SystemError("open folder", path) }
        self.path = path
        self.descriptor = fd
        self.syscalls = syscalls
    }

    /// Opens a subfolder relative to this one's descriptor (`openat`), never following a symbolic link.
    private init(_ name: FileName, in parent: Directory) throws(SystemError) {
        let fd = name.withCString { cName in
            parent.syscalls.run(.open) { openat(parent.descriptor, cName, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW) }
        }
        guard fd >= 0 else { throw SystemError("open folder", parent.path(of: name)) }
        self.path = parent.path(of: name)
        self.descriptor = fd
        self.syscalls = parent.syscalls
    }

    deinit { close(descriptor) }

    /// The full path of an entry, for messages.
    public func path(of name: FileName) -> String { path + "/" + name.description }

    /// Every entry but `.` and `..`, in no particular order.
    public func entries() throws(SystemError) -> [FileName] {
        let copy = syscalls.run(.list) { dup(descriptor) }
        guard copy >= 0, let stream = fdopendir(copy) else {
            if copy >= 0 { close(copy) }
            throw SystemError("list folder", path)
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [FileName] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw SystemError("list folder", path) }
                return names
            }
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if bytes == [46] || bytes == [46, 46] { continue }
            names.append(FileName(bytes: bytes))
        }
    }

    /// `lstat` of an entry; nil when it does not exist.
    public func status(of name: FileName) throws(SystemError) -> FileStatus? {
        var s = stat()
        let result = name.withCString { cName in syscalls.run(.stat) { fstatat(descriptor, cName, &s, AT_SYMLINK_NOFOLLOW) } }
        if result == 0 { return FileStatus(s) }
        if errno == ENOENT { return nil }
        throw SystemError("examine", path(of: name))
    }

    /// Renames an entry into `target` (same filesystem), replacing nothing only when the caller made sure
    /// the target name is unique. Returns false when the source no longer exists (someone else took it).
    public func rename(_ name: FileName, to target: Directory, as newName: FileName) throws(SystemError) -> Bool {
        let result = name.withCString { old in
            newName.withCString { new in syscalls.run(.rename) { renameat(descriptor, old, target.descriptor, new) } }
        }
        if result == 0 { return true }
        if errno == ENOENT { return false }
        throw SystemError("rename", path(of: name) + " to " + target.path(of: newName))
    }

    /// Adds a hard link; false when `newName` already exists (the atomic "never overwrite" primitive).
    public func link(_ name: FileName, to target: Directory, as newName: FileName) throws(SystemError) -> Bool {
        let result = name.withCString { old in
            newName.withCString { new in syscalls.run(.link) { linkat(descriptor, old, target.descriptor, new, 0) } }
        }
        if result == 0 { return true }
        if errno == EEXIST { return false }
        throw SystemError("link", path(of: name) + " to " + target.path(of: newName))
    }

    /// Links `name` into `target` under the first free name among `newName`, `newName_2`, `newName_3`...
    /// and returns that name. Nothing is ever overwritten.
    public func linkNumbered(_ name: FileName, to target: Directory, as newName: FileName) throws(SystemError) -> FileName {
        var n = 1
        while true {
            let candidate = newName.numbered(n)
            if try link(name, to: target, as: candidate) { return candidate }
            n += 1
        }
    }

    /// Removes a file; false when it was already gone.
    @discardableResult
    public func unlink(_ name: FileName) throws(SystemError) -> Bool {
        let result = name.withCString { cName in syscalls.run(.unlink) { unlinkat(descriptor, cName, 0) } }
        if result == 0 { return true }
        if errno == ENOENT { return false }
        throw SystemError("remove", path(of: name))
    }

    /// Removes an empty subfolder; false when it was already gone.
    @discardableResult
    public func removeDirectory(_ name: FileName) throws(SystemError) -> Bool {
        let result = name.withCString { cName in syscalls.run(.rmdir) { unlinkat(descriptor, cName, AT_REMOVEDIR) } }
        if result == 0 { return true }
        if errno == ENOENT { return false }
        throw SystemError("remove folder", path(of: name))
    }

    /// Creates a subfolder (mode 0700); false when it exists already.
    @discardableResult
    public func makeDirectory(_ name: FileName) throws(SystemError) -> Bool {
        let result = name.withCString { cName in syscalls.run(.mkdir) { mkdirat(descriptor, cName, 0o700) } }
        if result == 0 { return true }
        if errno == EEXIST { return false }
        throw SystemError("create folder", path(of: name))
    }

    /// Opens a subfolder relative to this folder (not by path, not following a symbolic link).
    public func subdirectory(_ name: FileName) throws(SystemError) -> Directory {
        try Directory(name, in: self)
    }

    /// Opens an entry without following a symbolic link and without blocking on a FIFO.
    public func open(_ name: FileName, flags: Int32, mode: mode_t = 0o644) throws(SystemError) -> Int32 {
        let fd = name.withCString { cName in syscalls.run(.open) { openat(descriptor, cName, flags | O_CLOEXEC | O_NOFOLLOW, mode) } }
        guard fd >= 0 else { throw SystemError("open", path(of: name)) }
        return fd
    }

    /// Reads a regular file whole. Refuses anything else (a FIFO, a device) and files over `maxBytes`.
    public func readRegularFile(_ name: FileName, maxBytes: Int) throws(FileReadError) -> [UInt8] {
        let fd: Int32
        do { fd = try open(name, flags: O_RDONLY | O_NONBLOCK) } catch { throw .system(error) }
        defer { close(fd) }
        let syscalls = syscalls
        let calls = FileReader.Calls(examine: { fd, info in syscalls.run(.stat) { fstat(fd, &info) } },
                                     read: { fd, target, count in syscalls.run(.read) { Glibc.read(fd, target, count) } })
        do { return try FileReader.readRegularFile(descriptor: fd, maxBytes: maxBytes, calls: calls) } catch {
            switch error {
            case .system(let operation, let code): throw .system(SystemError(operation, path(of: name), code: code))
            case .notRegular: throw .notRegular
            case .tooLarge(let bytes): throw .tooLarge(bytes: bytes)
            }
        }
    }

    /// Creates `name` exclusively, writes `bytes`, fsyncs and closes it.
    public func writeNewFile(_ name: FileName, bytes: [UInt8]) throws(SystemError) {
        try bytes.withUnsafeBytes { buffer in Result { () throws(SystemError) in try writeNewFile(name, bytes: buffer) } }.get()
    }

    /// Creates `name` exclusively, writes `bytes`, fsyncs and closes it.
    public func writeNewFile(_ name: FileName, bytes: UnsafeRawBufferPointer) throws(SystemError) {
        let fd = try open(name, flags: O_WRONLY | O_CREAT | O_EXCL)
        defer { close(fd) }
        try syscalls.writeAll(fd, bytes, what: path(of: name))
        guard syscalls.run(.fsync, { fsync(fd) }) == 0 else { throw SystemError("fsync", path(of: name)) }
    }

    /// Flushes the directory itself, so that renames and links in it survive a power cut.
    public func sync() throws(SystemError) {
        guard syscalls.run(.fsync, { fsync(descriptor) }) == 0 else { throw SystemError("fsync folder", path) }
    }
}

/// Why a file could not be read.
public enum FileReadError: Error, Sendable, Equatable {
    case system(SystemError)
    case notRegular
    case tooLarge(bytes: Int)
}

extension SystemCalls {
    /// Writes every byte, continuing after short writes and EINTR.
    func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, what: String) throws(SystemError) {
        var written = 0
        while written < bytes.count {
            let count = run(.write) { write(fd, bytes.baseAddress! + written, bytes.count - written) }
            guard count > 0 else { throw SystemError("write", what) }
            written += count
        }
    }
}

extension Directory {
    /// Moves an entry into `target` under `newName` without ever replacing an existing entry: regular files
    /// and symbolic links by `link` + `unlink` (atomic), folders by `rename` after checking the name is free.
    /// Across filesystems a regular file is copied (temporary, fsync, link) and the original removed.
    /// Returns false when `newName` is taken.
    public func moveWithoutReplacing(_ name: FileName, to target: Directory, as newName: FileName) throws(SystemError) -> Bool {
        guard let status = try status(of: name) else { throw SystemError("move", path(of: name), code: ENOENT) }
        if status.kind == .directory {
            guard try target.status(of: newName) == nil else { return false }
            return try rename(name, to: target, as: newName)
        }
        do {
            guard try link(name, to: target, as: newName) else { return false }
        } catch where error.code == EXDEV && status.kind == .regular {
            let temporary = FileName(".tmp-move-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            let bytes: [UInt8]
            do { bytes = try readRegularFile(name, maxBytes: Int.max) } catch {
                throw SystemError("copy", path(of: name), code: EIO)
            }
            try target.writeNewFile(temporary, bytes: bytes)
            defer { _ = try? target.unlink(temporary) }
            guard try target.link(temporary, to: target, as: newName) else { return false }
        }
        try unlink(name)
        try target.sync()
        return true
    }

    /// Moves an entry into `target` under `newName` or the first free `newName_2`, `newName_3`...;
    /// returns the name used.
    /// A move interrupted between its `link` and its `unlink` (a crash, a failed call) left the file under
    /// both names: it is finished by removing the source, not made into a second numbered copy.
    public func moveNumbered(_ name: FileName, to target: Directory, as newName: FileName) throws(SystemError) -> FileName {
        let source = try status(of: name)
        var n = 1
        while true {
            let candidate = newName.numbered(n)
            if let source, source.kind == .regular, source.linkCount > 1, let existing = try target.status(of: candidate),
               existing.device == source.device, existing.inode == source.inode {
                try unlink(name)
                try target.sync()
                return candidate
            }
            if try moveWithoutReplacing(name, to: target, as: candidate) { return candidate }
            n += 1
        }
    }

    /// Every entry below this folder by its relative path (`a/b/c.png`), and the sub-folders walked. Hidden
    /// entries are skipped and symbolic links are listed, never followed; at most `maxDepth` levels.
    public func tree(maxDepth: Int = 16) throws(SystemError) -> (entries: [FileName], folders: [FileName]) {
        var entries: [FileName] = [], folders: [FileName] = []
        func walk(_ folder: Directory, prefix: FileName?, depth: Int) throws(SystemError) {
            for name in try folder.entries().sorted() where name.bytes.first != UInt8(ascii: ".") {
                let path = prefix.map { $0.appending(name) } ?? name
                guard depth < maxDepth, try folder.status(of: name)?.kind == .directory else { entries.append(path); continue }
                let child: Directory
                do { child = try folder.subdirectory(name) } catch where error.code == ENOENT { continue }
                folders.append(path)
                try walk(child, prefix: path, depth: depth + 1)
            }
        }
        try walk(self, prefix: nil, depth: 1)
        return (entries, folders)
    }

    /// Removes the folder `name` and the empty folders below it (a claimed item that came from a sub-folder).
    public func removeEmptyTree(_ name: FileName) throws(SystemError) {
        if let folder = try? subdirectory(name) {
            for entry in try folder.entries() where try folder.status(of: entry)?.kind == .directory {
                try folder.removeEmptyTree(entry)
            }
        }
        try removeDirectory(name)
    }

    /// Where a symbolic link points (for messages); never followed.
    public func linkTarget(_ name: FileName) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = name.withCString { cName in syscalls.run(.stat) { readlinkat(descriptor, cName, &buffer, buffer.count - 1) } }
        guard count >= 0 else { return "?" }
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Reads a small file whole; nil when absent.
    func readSmallFile(_ name: FileName) throws(SystemError) -> [UInt8]? {
        guard try status(of: name) != nil else { return nil }
        do { return try readRegularFile(name, maxBytes: 1 << 24) } catch {
            if case .system(let system) = error { throw system }
            throw SystemError("read", path(of: name), code: EINVAL)
        }
    }

    /// Replaces `name` atomically and durably with `bytes` (temporary, fsync, rename, fsync folder).
    func writeAtomically(_ name: FileName, bytes: [UInt8]) throws(SystemError) {
        let temporary = FileName(name.description + ".tmp")
        try unlink(temporary)
        try writeNewFile(temporary, bytes: bytes)
        _ = try rename(temporary, to: self, as: name)
        try sync()
    }
}
