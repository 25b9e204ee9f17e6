import Foundation
import Watcher

/// The start page: the upload form, then what the watcher did: the latest rows with thumbnails, filtered by
/// result, status and day (a GET form: links can be shared), counts per day, the loaded models with their
/// versions, thresholds and reports, and the queue.
struct Dashboard {
    struct Filter {
        var result = "", status = "", day = ""

        init(query: [String: String]) {
            result = query["result"].flatMap { ["POSITIVE", "NEGATIVE", "INDETERMINATE"].contains($0) ? $0 : nil } ?? ""
            status = query["status"].flatMap { ["ok", "rejected", "duplicate"].contains($0) ? $0 : nil } ?? ""
            day = query["day"].flatMap { $0.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil ? $0 : nil } ?? ""
        }

        func keeps(_ row: LedgerRow) -> Bool {
            (result.isEmpty || row.result == result) && (status.isEmpty || row.status.rawValue == status) && (day.isEmpty || row.time.hasPrefix(day))
        }
    }

    static let shown = 50

    static func render(desk: ScreeningDesk, query: [String: String]) -> String {
        let rows = desk.rows()
        let filter = Filter(query: query)
        let numbered = rows.enumerated().filter { filter.keeps($0.element) }.suffix(shown).reversed()
        var body = """
        <form method="post" action="/screenings" enctype="multipart/form-data">
        <p><label>Chest radiograph (PNG, JPEG or DICOM): <input type="file" name="image" required accept="image/png,image/jpeg,application/dicom,.dcm"></label>
        <button type="submit">Screen it</button></p>
        </form>
        <p>Queue: \(desk.queueDepth()) file(s) waiting or being screened. Ledger: \(rows.count) row(s).</p>
        <h2>Results</h2>
        <form method="get" action="/"><p>
        \(select("result", ["", "POSITIVE", "NEGATIVE", "INDETERMINATE"], filter.result))
        \(select("status", ["", "ok", "rejected", "duplicate"], filter.status))
        <label>day <input type="date" name="day" value="\(Pages.escape(filter.day))"></label>
        <button type="submit">Filter</button> <a href="/">all</a></p></form>
        """
        body += table(numbered.map { ($0.offset, $0.element) })
        body += "<h2>Per day</h2>\n" + perDay(rows)
        body += "<h2>Models</h2>\n<table><tr><th>model</th><th>version</th><th>weights</th><th>threshold</th><th>report</th></tr>\n"
        for model in desk.models {
            let report = model.reportPath == nil ? "" : "<a href=\"/models/\(Pages.escape(model.name))/report\">training report</a>"
            body += "<tr><td>\(Pages.escape(model.name))</td><td>\(Pages.escape(model.version))</td><td><code>\(Pages.escape(model.hash))</code></td><td>\(model.threshold)</td><td>\(report)</td></tr>\n"
        }
        body += "</table>\n<p>Policy: \(Pages.escape(desk.configuration.decision.policy.description)).</p>\n"
        return Pages.page("xraywatch", body: body)
    }

    static func select(_ name: String, _ options: [String], _ chosen: String) -> String {
        "<label>\(name) <select name=\"\(name)\">" + options.map { option in
            "<option value=\"\(option)\"\(option == chosen ? " selected" : "")>\(option.isEmpty ? "any" : option)</option>"
        }.joined() + "</select></label>"
    }

    /// Rows with their ledger number (the thumbnail's and the image link's key).
    static func table(_ rows: [(Int, LedgerRow)]) -> String {
        guard !rows.isEmpty else { return "<p>No results.</p>\n" }
        var html = "<table><tr><th></th><th>time (UTC)</th><th>file</th><th>status</th><th>result</th><th>Prob</th><th>reason</th></tr>\n"
        for (number, row) in rows {
            let id = String(row.inputFile.prefix(36))
            // An upload is shown by the name it was uploaded as (its id is in the link and the tooltip).
            let file = ScreeningDesk.isID(id)
                ? "<a href=\"/screenings/\(id)\" title=\"\(Pages.escape(row.inputFile))\">\(Pages.escape(String(row.inputFile.dropFirst(37))))</a>"
                : Pages.escape(row.inputFile)
            let thumbnail = row.status == .rejected || row.outputFile.isEmpty ? ""
                : "<a href=\"/rows/\(number)/image\"><img class=\"thumb\" src=\"/rows/\(number)/image\" alt=\"outbox image\"></a>"
            html += "<tr><td>\(thumbnail)</td><td class=\"time\">\(Pages.escape(String(row.time.prefix(19)).replacingOccurrences(of: "T", with: " ")))</td><td>\(file)</td><td>\(row.status.rawValue)</td>"
                + "<td class=\"\(Pages.escape(row.result))\">\(Pages.escape(row.result))</td><td>\(row.prob.map(String.init) ?? "")</td><td class=\"reason\">\(Pages.escape(row.reason))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    static func perDay(_ rows: [LedgerRow]) -> String {
        let days = Dictionary(grouping: rows) { String($0.time.prefix(10)) }
        guard !days.isEmpty else { return "<p>None yet.</p>\n" }
        var html = "<table><tr><th>day</th><th>rows</th><th>POSITIVE</th><th>NEGATIVE</th><th>INDETERMINATE</th><th>rejected</th><th>duplicate</th></tr>\n"
        for day in days.keys.sorted().reversed().prefix(31) {
            let list = days[day]!
            func count(_ keep: (LedgerRow) -> Bool) -> Int { list.count(where: keep) }
            html += "<tr><td>\(day)</td><td>\(list.count)</td><td>\(count { $0.status == .ok && $0.result == "POSITIVE" })</td>"
                + "<td>\(count { $0.status == .ok && $0.result == "NEGATIVE" })</td><td>\(count { $0.status == .ok && $0.result == "INDETERMINATE" })</td>"
                + "<td>\(count { $0.status == .rejected })</td><td>\(count { $0.status == .duplicate })</td></tr>\n"
        }
        return html + "</table>\n"
    }
}
