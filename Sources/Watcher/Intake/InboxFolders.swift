import Glibc
import Synchronization

/// The inbox, the work folder and this instance's claim folder as currently open. When the inbox at the
/// configured path is deleted and recreated, or replaced by another folder, they are opened anew (`replace`),
/// so the watcher keeps listening at the path; earlier sets are kept for the clean-up at shutdown.
final class InboxFolders: Sendable {
    struct Opened: Sendable {
        let inbox: Directory
        let work: Directory
        let own: ClaimFolder
    }

    let inboxPath: String
    let workPath: String
    private let state: Mutex<(current: Opened, retired: [Opened])>

    init(inboxPath: String, workPath: String, current: Opened) {
        self.inboxPath = inboxPath
        self.workPath = workPath
        self.state = Mutex((current, []))
    }

    var current: Opened { state.withLock { $0.current } }

    /// Every set used so far, current last.
    var all: [Opened] { state.withLock { $0.retired + [$0.current] } }

    /// Opens the folder now at the inbox path, the work folder (created when absent, as at start-up) and a
    /// new claim folder in it. Throws when there is no folder at the inbox path.
    func openAnew() throws(SystemError) -> Opened {
        let inbox = try Directory(path: inboxPath)
        try Self.makeFolders(workPath)
        let work = try Directory(path: workPath)
        return Opened(inbox: inbox, work: work, own: try ClaimFolder.create(in: work))
    }

    /// `mkdir -p`: creates `path` and its missing parents (mode 0755, as at start-up).
    static func makeFolders(_ path: String) throws(SystemError) {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            guard mkdir(prefix, 0o755) != 0 else { continue }
            let code = errno
            guard code == EEXIST else { throw SystemError("create folder", prefix, code: code) }
        }
    }

    func replace(with set: Opened) {
        state.withLock { state in
            state.retired.append(state.current)
            state.current = set
        }
    }

    /// nil while the inbox path names the open inbox folder; otherwise what happened to it.
    func inboxChange() -> String? {
        var open = stat(), named = stat()
        guard fstat(current.inbox.descriptor, &open) == 0 else { return nil }
        guard lstat(inboxPath, &named) == 0 else {
            let code = errno
            return code == ENOENT ? "was deleted" : "cannot be examined (\(String(cString: strerror(code))))"
        }
        if open.st_dev == named.st_dev, open.st_ino == named.st_ino { return nil }
        return "was replaced by another folder (device \(open.st_dev), inode \(open.st_ino) -> device \(named.st_dev), inode \(named.st_ino))"
    }
}
