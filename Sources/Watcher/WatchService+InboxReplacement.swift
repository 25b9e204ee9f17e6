import Foundation

/// An inbox deleted and recreated (`rm -rf inbox; mkdir inbox`) or replaced by another folder under the
/// watcher: it opens and watches the folder now at the inbox path, with a new work and claim folder.
extension WatchService {
    /// How long a deleted inbox may take to reappear before the service stops with an error (and systemd,
    /// with `Restart=on-failure`, starts it again, which creates the inbox).
    static let inboxReturnSeconds = 10.0

    /// Opens and watches the folder at the inbox path, waiting up to `inboxReturnSeconds` for one to
    /// appear; false (after marking the service failed) when there is none or it cannot be opened.
    func reopenInbox(setup: Setup, shared: Shared) async -> Bool {
        let path = configuration.inboxPath
        let change = setup.folders.inboxChange() ?? "was deleted or moved away"
        let deadline = monotonicSeconds() + Self.inboxReturnSeconds
        var failure: SystemError?
        while !shared.stopRequested, !Task.isCancelled {
            do throws(SystemError) {
                let opened = try setup.folders.openAnew()
                try setup.monitor.rewatch(path)
                setup.folders.replace(with: opened)
                logger.warning("the inbox \(path) \(change); now watching the folder at \(path) (new claim folder \(opened.own.name))")
                return true
            } catch {
                failure = error
            }
            guard monotonicSeconds() < deadline else { break }
            try? await Task.sleep(for: .milliseconds(200))
        }
        guard !shared.stopRequested, !Task.isCancelled else { return false }
        logger.error("the inbox \(path) \(change) and no folder could be opened there within \(Self.inboxReturnSeconds) s (\(failure.map(String.init(describing:)) ?? "no attempt")); stopping")
        shared.fail(.inboxGone(path: path, change: change, lastAttempt: failure))
        return false
    }
}
