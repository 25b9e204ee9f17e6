/// Why the watch service stopped with an error (files in hand stay claimed and are finished at the next start).
public enum WatchFailure: Error, Sendable, CustomStringConvertible {
    /// The inbox could not be listed.
    case cannotListInbox(SystemError)
    /// Waiting for inbox events failed.
    case cannotWatchInbox(SystemError)
    /// The inbox at `path` was deleted or replaced (`change` says which) and no folder could be opened there in
    /// time; `lastAttempt` is why the last try to open one failed.
    case inboxGone(path: String, change: String, lastAttempt: SystemError?)
    /// A screened input (`file`, by its inbox name) could not be finished: its outbox copy, ledger row or move.
    case cannotFinish(file: String, cause: any Error)

    public var description: String {
        switch self {
        case .cannotListInbox(let error), .cannotWatchInbox(let error): "\(error)"
        case .inboxGone(let path, let change, _): "inbox \(path) \(change)"
        case .cannotFinish(_, let cause): "\(cause)"
        }
    }
}
