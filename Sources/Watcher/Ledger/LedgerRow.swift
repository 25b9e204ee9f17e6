import CSVFormat
import Foundation

/// One ledger line: what happened to one input.
public struct LedgerRow: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        /// Classified; `output_file` is its outbox copy.
        case ok
        /// Could not be classified; `reason` says why, `output_file` names where the input was moved.
        case rejected
        /// Same content as an earlier `ok` row; `output_file` is that row's outbox copy.
        case duplicate
    }

    /// The shipped models' header, in column order. New fixed columns are only ever added at the end.
    public static let columns = LedgerLayout.shipped.columns

    /// The fixed columns before the models' score columns.
    public static let leadingColumns = ["time_utc", "input_file", "input_sha256", "bytes", "width", "height", "result", "prob"]
    /// The fixed columns after the models' score columns.
    public static let trailingColumns = ["policy", "output_file", "status", "reason", "models", "elapsed_ms", "lung_area", "lungs",
                                         "saliency_in_lungs", "distance_percent", "sop_instance_uid", "study_instance_uid", "thresholds", "version"]

    /// The headers of earlier versions, oldest first (a ledger with one of them, like any xraywatch ledger
    /// whose header is not the current one, is set aside at start-up).
    public static let earlierColumns = [legacyColumns, lungColumns, explanationColumns]

    /// The columns of ledgers written before the DICOM and provenance columns (0.8: saliency and refusal distance).
    public static let explanationColumns = lungColumns + ["saliency_in_lungs", "distance_percent"]

    /// The columns of ledgers written before the explanation columns (0.3: lungs, no saliency or refusal distance).
    public static let lungColumns = legacyColumns + ["lung_area", "lungs"]

    /// The header of ledgers written before the lung columns.
    public static let legacyColumns = ["time_utc", "input_file", "input_sha256", "bytes", "width", "height", "result",
                                       "prob", "covid_normal", "covid_pneumo", "policy", "output_file", "status",
                                       "reason", "models", "elapsed_ms"]

    /// ISO 8601 UTC with microseconds, e.g. `2026-11-27T09:14:03.123456Z`.
    public var time: String
    public var inputFile: String
    public var sha256: String
    public var bytes: Int
    public var width: Int?
    public var height: Int?
    /// `POSITIVE`, `NEGATIVE` or `INDETERMINATE` (then `reason` says why); empty for rejected rows.
    public var result: String
    public var prob: Int?
    /// Each model's P(covid), keyed by model name (the ledger has one column per loaded model, named after it).
    public var scores: [String: Double]
    public var policy: String
    public var outputFile: String
    public var status: Status
    public var reason: String
    public var models: String
    public var elapsedMilliseconds: Int
    /// Lung pixels over image pixels, with a lung segmenter loaded.
    public var lungArea: Double?
    /// `found`, or `not found: ` and the figure that failed; empty without a lung segmenter.
    public var lungs: String = ""
    /// Share of the deciding model's Grad-CAM heatmap inside the lungs found; nil without plausible lungs or heatmap.
    public var saliencyInLungs: Double?
    /// Distance to the nearest training image in percent of the refusal threshold; nil without a refusal check.
    public var distancePercent: Int?
    /// For a DICOM input, its SOPInstanceUID and StudyInstanceUID (the only DICOM attributes recorded); empty otherwise.
    public var sopInstanceUID = ""
    public var studyInstanceUID = ""
    /// The thresholds the decision used, `model=threshold` joined by `;`.
    public var thresholds = ""
    /// The program version that wrote the row.
    public var version = ""

    public init(time: String, inputFile: String, sha256: String, bytes: Int, width: Int? = nil, height: Int? = nil,
                result: String = "", prob: Int? = nil, scores: [String: Double] = [:], policy: String,
                outputFile: String = "", status: Status, reason: String = "", models: String, elapsedMilliseconds: Int) {
        self.time = time; self.inputFile = inputFile; self.sha256 = sha256; self.bytes = bytes
        self.width = width; self.height = height; self.result = result; self.prob = prob; self.scores = scores
        self.policy = policy; self.outputFile = outputFile; self.status = status; self.reason = reason
        self.models = models; self.elapsedMilliseconds = elapsedMilliseconds
    }

    /// The fields in `layout`'s column order, file names neutralised against formula injection.
    public func fields(in layout: LedgerLayout = .shipped) -> [String] {
        let leading: [String] = [time, CSV.neutralised(inputFile), sha256, String(bytes), width.map(String.init) ?? "",
                                 height.map(String.init) ?? "", result, prob.map(String.init) ?? ""]
        let scoreFields: [String] = layout.modelNames.map { Self.format(scores[$0]) }
        let lungArea: String = self.lungArea.map { String(format: "%.4f", $0) } ?? ""
        let saliency: String = saliencyInLungs.map { String(format: "%.3f", $0) } ?? ""
        let trailing: [String] = [policy, CSV.neutralised(outputFile), status.rawValue, CSV.neutralised(reason), models,
                                  String(elapsedMilliseconds), lungArea, lungs, saliency, distancePercent.map(String.init) ?? "",
                                  sopInstanceUID, studyInstanceUID, thresholds, version]
        return leading + scoreFields + trailing
    }

    /// The CSV line (CRLF-terminated) as bytes.
    public func encoded(in layout: LedgerLayout = .shipped) -> [UInt8] { Array(CSV.record(fields(in: layout)).utf8) }

    /// Reads a parsed record of a ledger with `layout` back; nil for a malformed one (e.g. the remains of a torn line).
    public init?(fields: [String], layout: LedgerLayout = .shipped) {
        let models = layout.modelNames.count
        guard fields.count == layout.columns.count else { return nil }
        // Trailing fields by their position after the score columns.
        func trailing(_ index: Int) -> String { fields[8 + models + index] }
        guard let status = Status(rawValue: trailing(2)), let bytes = Int(fields[3]), let elapsed = Int(trailing(5)) else { return nil }
        var scores: [String: Double] = [:]
        for (offset, name) in layout.modelNames.enumerated() { if let value = Double(fields[8 + offset]) { scores[name] = value } }
        self.init(time: fields[0], inputFile: fields[1], sha256: fields[2], bytes: bytes, width: Int(fields[4]),
                  height: Int(fields[5]), result: fields[6], prob: Int(fields[7]), scores: scores, policy: trailing(0),
                  outputFile: trailing(1), status: status, reason: trailing(3), models: trailing(4),
                  elapsedMilliseconds: elapsed)
        lungArea = Double(trailing(6))
        lungs = trailing(7)
        saliencyInLungs = Double(trailing(8))
        distancePercent = Int(trailing(9))
        sopInstanceUID = trailing(10)
        studyInstanceUID = trailing(11)
        thresholds = trailing(12)
        version = trailing(13)
    }

    private static func format(_ value: Double?) -> String {
        value.map { String(format: "%.4f", $0) } ?? ""
    }

    /// Now, as the ledger writes times.
    public static func timestamp(_ date: Date = Date()) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let micros = Int((date.timeIntervalSince1970 - Double(seconds)) * 1_000_000)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), min(micros, 999_999))
    }
}

/// A ledger's columns: the fixed ones around one score column per loaded model, named after the model, so a
/// site's own models (`site_pneumo`) get their own column. With the shipped models the columns are those of
/// `LedgerRow.columns`.
public struct LedgerLayout: Sendable, Equatable {
    public let modelNames: [String]

    public init(modelNames: [String]) { self.modelNames = modelNames }

    /// The shipped pair.
    public static let shipped = LedgerLayout(modelNames: ["covid_normal", "covid_pneumo"])

    public var columns: [String] { LedgerRow.leadingColumns + modelNames + LedgerRow.trailingColumns }
}
