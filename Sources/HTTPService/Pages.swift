import Foundation
import Screening
import Watcher

/// The server-rendered pages: they work without JavaScript (a pending result refreshes itself with a meta tag).
enum Pages {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }

    static func page(_ title: String, body: String, refreshSeconds: Int? = nil) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title)) - xraywatch</title>
        \(refreshSeconds.map { "<meta http-equiv=\"refresh\" content=\"\($0)\">" } ?? "")
        <style>
        body { font-family: sans-serif; margin: 2em auto; max-width: 980px; color: #222; padding: 0 1em; }
        .aid { background: #fff3cd; border: 1px solid #e0c060; padding: 0.5em 1em; }
        table { border-collapse: collapse; } th, td { border: 1px solid #bbb; padding: 3px 8px; text-align: left; }
        th { background: #eee; } img { max-width: 100%; border: 1px solid #999; }
        img.thumb { width: 64px; max-width: none; } td.reason { max-width: 20em; font-size: 0.85em; } td.time { white-space: nowrap; }
        .POSITIVE { color: #b00020; } .NEGATIVE { color: #1b7f3a; } .INDETERMINATE { color: #9a6700; }
        </style></head>
        <body><h1>\(escape(title))</h1>
        <p class="aid">xraywatch is a screening and teaching aid, <strong>not a diagnosis</strong>.</p>
        \(body)
        <p><a href="/">Upload another</a> · xraywatch \(ProgramVersion.text)</p>
        </body></html>

        """
    }

    static func pending(id: String) -> String {
        page("Screening…", body: "<p>Your radiograph is in the queue. This page refreshes every 2 seconds.</p><p>Id: <code>\(escape(id))</code></p>", refreshSeconds: 2)
    }

    static func result(id: String, row: LedgerRow, policy: String) -> String {
        var body: String
        switch row.status {
        case .rejected:
            body = "<p><strong>Not screened:</strong> \(escape(row.reason))</p>"
        case .ok, .duplicate:
            body = "<p class=\"verdict \(escape(row.result))\" style=\"font-size: 1.6em\"><strong>\(escape(row.result))</strong>, Prob \(row.prob.map(String.init) ?? "-") %</p>\n"
            if !row.reason.isEmpty { body += "<p>\(escape(row.reason))</p>\n" }
            body += "<table><tr><th>model</th><th>P(COVID-19)</th></tr>"
                + row.scores.keys.sorted().map { "<tr><td>\(escape($0))</td><td>\(String(format: "%.3f", row.scores[$0]!))</td></tr>" }.joined()
                + "</table>\n<p>Policy: \(escape(row.policy)); thresholds \(escape(row.thresholds)).</p>\n"
            body += "<p><img src=\"/screenings/\(escape(id))/image\" alt=\"The radiograph with the heatmap, the lung outline and the verdict\"></p>\n"
        }
        body += "<p>File: \(escape(row.inputFile)) · \(escape(row.time))</p>"
        return page("Result", body: body)
    }

    static func message(_ title: String, _ text: String) -> String { page(title, body: "<p>\(escape(text))</p>") }
}

/// A ledger row as the JSON API gives it.
enum RowJSON {
    static func object(id: String?, row: LedgerRow) -> [String: Any] {
        var object: [String: Any] = [
            "status": row.status.rawValue, "input_file": row.inputFile, "time_utc": row.time, "sha256": row.sha256,
            "policy": row.policy, "models": row.models, "version": row.version, "thresholds": row.thresholds,
            "scores": row.scores,
        ]
        if let id { object["id"] = id }
        if !row.result.isEmpty { object["result"] = row.result }
        if let prob = row.prob { object["prob"] = prob }
        if !row.reason.isEmpty { object["reason"] = row.reason }
        if !row.outputFile.isEmpty && row.status != .rejected { object["output_file"] = row.outputFile }
        if let share = row.saliencyInLungs { object["saliency_in_lungs"] = share }
        if let distance = row.distancePercent { object["distance_percent"] = distance }
        return object
    }

    static func data(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }
}
