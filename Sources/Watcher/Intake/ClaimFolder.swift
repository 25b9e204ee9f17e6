import Foundation
import Glibc
import Synchronization

/// A per-instance folder under the work folder (`work/<host>-<pid>-<random>/`) that holds the inputs an
/// instance has claimed, one item folder each (`<token>/<original name>`). Its `.lock` file is `flock`ed
/// for the instance's lifetime, so a folder whose lock is free belongs to a crashed instance and can be
/// adopted. Claiming is `rename()` from the inbox: of two instances, exactly one rename succeeds.
public final class ClaimFolder: Sendable {
    public let name: FileName
    public let folder: Directory
    private let lockDescriptor: Int32
    private let nextToken: Atomic<Int>

    private static let lockName = FileName(".lock")

    private init(name: FileName, folder: Directory, lockDescriptor: Int32, firstToken: Int) {
        self.name = name
        self.folder = folder
        self.lockDescriptor = lockDescriptor
        self.nextToken = Atomic(firstToken)
    }

    deinit { close(lockDescriptor) }

    /// Creates this instance's claim folder, locked. It is built under a hidden name and renamed into
    /// place, so other instances never see it without its lock. Starts again under a new name when the
    /// staging folder vanished meanwhile (another instance took it for the leftover of a crash).
    public static func create(in work: Directory) throws(SystemError) -> ClaimFolder {
        var attempt = 1
        while true {
            do { return try createOnce(in: work) } catch where error.code == ENOENT && attempt < 3 { attempt += 1 }
        }
    }

    private static func createOnce(in work: Directory) throws(SystemError) -> ClaimFolder {
        var hostBytes = [CChar](repeating: 0, count: 256)
        let host = gethostname(&hostBytes, hostBytes.count - 1) == 0
            ? String(decoding: hostBytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: ".").first.map(String.init) ?? "host"
            : "host"
        let name = FileName("\(host)-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))")
        let staging = FileName(stagingPrefix + name.description)
        try work.makeDirectory(staging)
        let stagingFolder = try work.subdirectory(staging)
        let lock = try stagingFolder.open(lockName, flags: O_RDWR | O_CREAT)
        do throws(SystemError) {
            guard work.syscalls.run(.lock, { flock(lock, LOCK_EX | LOCK_NB) }) == 0 else {
                throw SystemError("lock", stagingFolder.path(of: lockName))
            }
            guard try work.rename(staging, to: work, as: name) else { throw SystemError("rename", work.path(of: staging), code: ENOENT) }
            try work.sync()
            return ClaimFolder(name: name, folder: try work.subdirectory(name), lockDescriptor: lock, firstToken: 1)
        } catch {
            close(lock)   // a descriptor left open would keep the lock, and the folder could never be adopted
            throw error
        }
    }

    /// Hidden name prefix of a claim folder being built.
    private static let stagingPrefix = ".new-"

    /// Claim folders of instances that are gone (lock free), now locked by this instance. Staging folders
    /// of instances that died while creating theirs (lock file absent or free) are removed.
    public static func adoptOrphans(in work: Directory) throws(SystemError) -> [ClaimFolder] {
        var adopted: [ClaimFolder] = []
        for name in try work.entries().sorted() {
            guard try work.status(of: name)?.kind == .directory else { continue }
            if name.description.hasPrefix(stagingPrefix) { try removeAbandonedStaging(name, in: work); continue }
            guard name.bytes.first != UInt8(ascii: ".") else { continue }
            let folder = try work.subdirectory(name)
            let lock: Int32
            do { lock = try folder.open(lockName, flags: O_RDWR) } catch { continue }   // being removed
            guard work.syscalls.run(.lock, { flock(lock, LOCK_EX | LOCK_NB) }) == 0 else { close(lock); continue }
            let highest = try folder.entries().compactMap { Int($0.description) }.max() ?? 0
            adopted.append(ClaimFolder(name: name, folder: folder, lockDescriptor: lock, firstToken: highest + 1))
        }
        return adopted
    }

    /// Removes a staging folder whose creator is gone; one still locked is being created and stays.
    private static func removeAbandonedStaging(_ name: FileName, in work: Directory) throws(SystemError) {
        let folder: Directory
        do { folder = try work.subdirectory(name) } catch where error.code == ENOENT { return }
        if let lock = try? folder.open(lockName, flags: O_RDWR) {
            defer { close(lock) }
            guard work.syscalls.run(.lock, { flock(lock, LOCK_EX | LOCK_NB) }) == 0 else { return }
        }
        for entry in try folder.entries() { try folder.unlink(entry) }
        try work.removeDirectory(name)
    }

    /// Takes `name` out of the inbox into a new item folder; nil when it is gone (another instance won). A
    /// file from a sub-folder (`ward3/scan.png`) keeps its relative path inside the item folder, so a recovery
    /// after a crash still knows where it came from.
    public func claim(_ name: FileName, from inbox: Directory) throws(SystemError) -> ClaimedInput? {
        let token = FileName(String(format: "%08d", nextToken.wrappingAdd(1, ordering: .relaxed).oldValue))
        try folder.makeDirectory(token)
        let item = try folder.subdirectory(token)
        for parent in name.parentFolders { try item.makeDirectory(parent) }
        guard try inbox.rename(name, to: item, as: name) else {
            try folder.removeEmptyTree(token)
            return nil
        }
        return ClaimedInput(owner: self, token: token, name: name, item: item)
    }

    /// The input in an item folder left by a crash: the first file, by its path inside the item folder.
    static func input(in item: Directory) throws(SystemError) -> FileName? {
        try item.tree().entries.first
    }

    /// Item folders present now (left by a crash, when this folder was adopted), oldest first.
    public func items() throws(SystemError) -> [(token: FileName, item: Directory)] {
        var result: [(FileName, Directory)] = []
        for token in try folder.entries().sorted() where token != Self.lockName {
            guard try folder.status(of: token)?.kind == .directory else { continue }
            result.append((token, try folder.subdirectory(token)))
        }
        return result
    }

    /// Removes an item folder (with the empty sub-folders of a nested input) once its input is finished.
    public func removeItem(_ token: FileName) throws(SystemError) {
        try folder.removeEmptyTree(token)
    }

    /// Removes the whole claim folder when no item is left in it (at shutdown, or after an adoption).
    /// Returns false when items remain (they are kept for the next start).
    @discardableResult
    public func removeIfEmpty(from work: Directory) throws(SystemError) -> Bool {
        guard try items().isEmpty else { return false }
        for entry in try folder.entries() { try folder.unlink(entry) }
        return try work.removeDirectory(name)
    }
}

/// An input taken out of the inbox into its own item folder.
public struct ClaimedInput: Sendable {
    public let owner: ClaimFolder
    public let token: FileName
    /// The original file name, as dropped: its path relative to the inbox (`scan.png`, `ward3/scan.png`).
    public let name: FileName
    public let item: Directory

    /// Unique across instances: names the outbox temporary and identifies the claim in logs.
    public var claimID: String { owner.name.description + "-" + token.description }
}
