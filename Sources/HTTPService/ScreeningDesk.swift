import Foundation
import Imaging
import Watcher

/// What the web pages and the JSON API do with the watcher's folders: an upload enters the inbox the way any
/// file does (written under a hidden name in the inbox's filesystem, then renamed in), and its result is its
/// ledger row. Files are served only when a ledger row names them; no request path reaches the filesystem.
public struct ScreeningDesk: Sendable {
    public let configuration: Configuration
    public let layout: LedgerLayout
    /// The loaded models, for the dashboard.
    public let models: [LoadedModel]

    /// A loaded model as the dashboard lists it.
    public struct LoadedModel: Sendable {
        public let name: String, version: String, hash: String, threshold: Double
        /// Its training report (`<manifest>.report.html` beside the manifest), when there is one.
        public let reportPath: String?
        public init(name: String, version: String, hash: String, threshold: Double, manifestPath: String) {
            self.name = name; self.version = version; self.hash = hash; self.threshold = threshold
            let report = (manifestPath.hasSuffix(".json") ? String(manifestPath.dropLast(5)) : manifestPath) + ".report.html"
            reportPath = FileManager.default.fileExists(atPath: report) ? report : nil
        }
    }

    private let follower: LedgerFollower

    public init(configuration: Configuration, models: [LoadedModel]) {
        self.configuration = configuration
        self.models = models
        self.layout = LedgerLayout(modelNames: models.map(\.name))
        self.follower = LedgerFollower(path: configuration.ledgerPath, layout: layout)
    }

    /// Files waiting in the inbox or being screened (the watcher's queue, as the folders show it).
    public func queueDepth() -> Int { inboxInputs().count + claimedInputs().count }

    private func inboxInputs() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: configuration.inboxPath)) ?? []).filter { !$0.hasPrefix(".") }
    }

    /// The names of the inputs in the instances' claim folders (`work/<instance>/<item>/<name>`).
    private func claimedInputs() -> [String] {
        func listing(_ path: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }
        }
        return listing(configuration.workPath).flatMap { instance in
            listing(configuration.workPath + "/" + instance).flatMap { item in listing(configuration.workPath + "/" + instance + "/" + item) }
        }
    }

    /// Why an upload was refused (the HTTP status and a sentence for the user).
    public struct UploadError: Error, CustomStringConvertible {
        public let status: Int
        public let description: String
    }

    /// An upload's id: a random UUID in lower case, and the only thing a request can name.
    public static func isID(_ text: String) -> Bool {
        text.count == 36 && text.allSatisfy { $0.isHexDigit && ($0.isNumber || $0.isLowercase) || $0 == "-" } && UUID(uuidString: text) != nil
    }

    /// Puts an uploaded image into the inbox and returns its id. Refuses empty, oversized and non-image bodies
    /// at once (the watcher would reject them too, but the uploader deserves the reason now).
    public func accept(_ bytes: [UInt8], originalName: String) throws(UploadError) -> String {
        guard !bytes.isEmpty else { throw UploadError(status: 400, description: "the upload is empty") }
        guard bytes.count <= configuration.imageLimits.maxBytes else {
            throw UploadError(status: 413, description: "the upload is \(bytes.count) bytes, over the max_bytes limit of \(configuration.imageLimits.maxBytes)")
        }
        guard ImageFormat(sniffing: bytes) != nil else {
            throw UploadError(status: 415, description: "not a PNG, JPEG or DICOM image")
        }
        let id = UUID().uuidString.lowercased()
        let name = id + "_" + Self.safeName(originalName)
        let hidden = configuration.inboxPath + "/." + name + ".upload"
        guard FileManager.default.createFile(atPath: hidden, contents: Data(bytes)),
              rename(hidden, configuration.inboxPath + "/" + name) == 0 else {
            try? FileManager.default.removeItem(atPath: hidden)
            throw UploadError(status: 503, description: "the inbox \(configuration.inboxPath) cannot be written")
        }
        return id
    }

    /// The uploaded name reduced to letters, digits, `.`, `-` and `_` (at most 80), so the inbox name is plain.
    static func safeName(_ name: String) -> String {
        let kept = String(name.split(separator: "/").last.map(String.init) ?? "").unicodeScalars
            .map { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._-".unicodeScalars.contains($0) ? Character($0) : "_" }
        let text = String(kept.prefix(80)).trimmingCharacters(in: CharacterSet(charactersIn: "."))
        return text.isEmpty ? "upload" : text
    }

    /// Every row of the ledger, oldest first (empty before the first row).
    public func rows() -> [LedgerRow] { follower.rows() }

    /// The ledger row of an upload, nil while it is pending.
    public func row(for id: String) -> LedgerRow? {
        guard Self.isID(id) else { return nil }
        return rows().last { $0.inputFile.hasPrefix(id + "_") }
    }

    /// True while an upload is known (in the inbox or being screened) but has no row yet.
    public func isPending(_ id: String) -> Bool {
        guard Self.isID(id) else { return false }
        return (inboxInputs() + claimedInputs()).contains { $0.hasPrefix(id + "_") }
    }

    /// The outbox image a row names (a plain file name in the outbox, never a path), or nil.
    public func outboxImage(of row: LedgerRow) -> Data? {
        let name = row.outputFile
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), row.status != .rejected else { return nil }
        return FileManager.default.contents(atPath: configuration.outboxPath + "/" + name)
    }

    /// What `/readyz` checks: the inbox and the ledger's folder writable (the models were loaded before the
    /// server started).
    public func readiness() -> [String: Bool] {
        let ledgerFolder = URL(fileURLWithPath: configuration.ledgerPath).deletingLastPathComponent().path
        return ["models_loaded": true, "inbox_writable": access(configuration.inboxPath, W_OK) == 0,
                "ledger_writable": access(ledgerFolder, W_OK) == 0 && (access(configuration.ledgerPath, F_OK) != 0 || access(configuration.ledgerPath, W_OK) == 0)]
    }
}
