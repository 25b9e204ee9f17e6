import Dispatch
import Glibc
import Logging

/// SIGHUP, the daemon convention after a log rotation: the ledger is reopened at its path and that is
/// logged, instead of the default action (the process dying with claims left behind).
final class HangupHandler {
    private let source: DispatchSourceSignal

    init(ledger: Ledger, logger: Logger) {
        signal(SIGHUP, SIG_IGN)   // delivered to the dispatch source instead
        source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            do {
                try ledger.reopen()
                logger.notice("SIGHUP: reopened the ledger \(ledger.path)")
            } catch {
                logger.error("SIGHUP: \(error); still appending to the ledger file open before")
            }
        }
        source.resume()
    }

    /// Stops handling (SIGHUP stays ignored until the process exits).
    func cancel() { source.cancel() }
}
