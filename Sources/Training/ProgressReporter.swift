import Foundation

/// A one-line progress bar with rate and ETA on stderr, redrawn at most 10 times a second.
/// Silent when stderr is not a terminal (logs and pipes get only the final summary lines callers print).
public final class ProgressReporter: @unchecked Sendable {
    private let title: String
    private let enabled: Bool
    private let lock = NSLock()
    private var total = 0
    private var done = 0
    private var unit = ""
    private var started = Date()
    private var lastDraw = Date.distantPast

    /// `enabled` defaults to "stderr is a terminal".
    public init(title: String, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.title = title
        self.enabled = enabled
    }

    public func start(total: Int, unit: String) {
        lock.lock(); defer { lock.unlock() }
        self.total = total; self.unit = unit; done = 0; started = Date(); lastDraw = .distantPast
        draw(force: true)
    }

    public func advance(by count: Int = 1) {
        lock.lock(); defer { lock.unlock() }
        done += count
        draw(force: done >= total)
    }

    /// Ends the line (when anything was drawn).
    public func finish() {
        lock.lock(); defer { lock.unlock() }
        if enabled && total > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    /// Prints a line above the bar (e.g. an epoch summary); always shown, terminal or not.
    public func message(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        let prefix = enabled ? "\r\u{1B}[K" : ""
        FileHandle.standardError.write(Data((prefix + text + "\n").utf8))
        if enabled { draw(force: true) }
    }

    /// The bar text, e.g. `extracting [#######.....]  70/100 images  12.3 images/s  ETA 0:02`.
    public static func line(title: String, done: Int, total: Int, unit: String, elapsed: TimeInterval, width: Int = 30) -> String {
        let fraction = total > 0 ? min(Double(done) / Double(total), 1) : 1
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : nil
        let eta = remaining.map { formatDuration($0) } ?? "--:--"
        return "\(title) [\(bar)] \(done)/\(total) \(unit)  \(String(format: "%.1f", rate)) \(unit)/s  ETA \(eta)"
    }

    static func formatDuration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole >= 3600 ? String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60)
                             : String(format: "%d:%02d", whole / 60, whole % 60)
    }

    private func draw(force: Bool) {
        guard enabled, total > 0 else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let text = Self.line(title: title, done: done, total: total, unit: unit, elapsed: now.timeIntervalSince(started))
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
    }
}
