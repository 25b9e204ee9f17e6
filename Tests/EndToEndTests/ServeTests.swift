import Foundation
import Glibc
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport
import Watcher

/// `xraywatch serve` end to end: the built binary on a random loopback port, real HTTP, real files, the
/// shipped models, and Debian's chromium for the page a user sees.
@Suite(.enabled(if: WatchSpool.modelsPresent, WatchSpool.modelsMissing), .serialized)
struct ServeTests {
    /// A running `serve` on the spool, and its base URL.
    final class Server {
        let process: Process
        let base: URL
        init(_ spool: WatchSpool, arguments: [String] = [], environment: [String: String] = [:], expectStart: Bool = true) async throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Fixtures.binary)
            process.arguments = ["serve", "--config", spool.configPath, "--port", "0"] + arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let log = spool.root.appendingPathComponent("serve.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: log)
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            self.process = process
            var port: String?
            for _ in 0..<600 where port == nil && process.isRunning {
                try await Task.sleep(for: .milliseconds(100))
                let text = spool.log("serve.log")
                port = text.range(of: #"listening on http://[0-9.]+:(\d+)"#, options: .regularExpression)
                    .map { String(text[$0]).split(separator: ":").last.map(String.init)! }
            }
            let host = arguments.firstIndex(of: "--host").map { arguments[$0 + 1] == "0.0.0.0" ? "127.0.0.1" : arguments[$0 + 1] } ?? "127.0.0.1"
            base = URL(string: "http://\(host):\(port ?? "0")")!
            if port == nil && expectStart { Issue.record("serve did not start:\n\(spool.log("serve.log"))") }
        }
        func stop() async throws {
            process.terminate()
            try await WatchSpool.waitForExit(process, timeout: 20)
        }
    }

    static func request(_ url: URL, method: String = "GET", body: Data? = nil, headers: [String: String] = [:]) async throws -> (Int, Data, HTTPURLResponse) {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let session = URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)
        let (data, response) = try await session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return (http.statusCode, data, http)
    }

    /// Keeps 303 responses visible to the test.
    final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) { completionHandler(nil) }
    }

    static func json(_ data: Data) throws -> [String: Any] { try #require(JSONSerialization.jsonObject(with: data) as? [String: Any]) }

    /// Polls the API until the screening has its ledger row.
    static func waitForResult(_ server: Server, id: String) async throws -> [String: Any] {
        for _ in 0..<600 {
            let (status, data, _) = try await request(server.base.appendingPathComponent("api/v1/screenings/\(id)"))
            let object = try json(data)
            if status == 200, object["status"] as? String != "pending" { return object }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("no result for \(id)")
        return [:]
    }

    @Test func anUploadThroughTheAPIGetsItsLedgerRowAndImage() async throws {
        let spool = try WatchSpool()
        let server = try await Server(spool)
        let (_, jpeg) = try WatchSpool.exampleJPEG()
        let (status, data, response) = try await Self.request(server.base.appendingPathComponent("api/v1/screenings").appending(queryItems: [URLQueryItem(name: "name", value: "scan.jpeg")]),
                                                              method: "POST", body: Data(jpeg), headers: ["Content-Type": "image/jpeg"])
        #expect(status == 202)
        #expect(response.value(forHTTPHeaderField: "X-Content-Type-Options") == "nosniff")
        #expect(response.value(forHTTPHeaderField: "Content-Security-Policy")?.contains("default-src 'none'") == true)
        let id = try #require(try Self.json(data)["id"] as? String)
        let result = try await Self.waitForResult(server, id: id)
        #expect(result["status"] as? String == "ok")
        #expect(["POSITIVE", "NEGATIVE", "INDETERMINATE"].contains(result["result"] as? String ?? ""), "\(result)")
        #expect((result["input_file"] as? String)?.hasSuffix("_scan.jpeg") == true)
        #expect((result["scores"] as? [String: Double])?.count == 2)
        let (imageStatus, image, imageResponse) = try await Self.request(server.base.appendingPathComponent("screenings/\(id)/image"))
        #expect(imageStatus == 200 && imageResponse.value(forHTTPHeaderField: "Content-Type") == "image/png")
        #expect(image.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        let (_, list, _) = try await Self.request(server.base.appendingPathComponent("api/v1/screenings").appending(queryItems: [URLQueryItem(name: "since", value: "2000-01-01")]))
        let listed = try Self.json(list)["screenings"] as? [[String: Any]]
        #expect(listed?.contains { $0["id"] as? String == id } == true)
        #expect(try await Self.request(server.base.appendingPathComponent("healthz")).0 == 200)
        let (ready, readiness, _) = try await Self.request(server.base.appendingPathComponent("readyz"))
        let checks = try Self.json(readiness)
        #expect(ready == 200 && checks["inbox_writable"] as? Bool == true && checks["ledger_writable"] as? Bool == true)
        #expect(try spool.ledgerRows().count == 1, "the upload went through the watcher's ledger")
        // Prometheus metrics: the screening counted by its result, time per stage, the models.
        let (metricsStatus, metricsBody, _) = try await Self.request(server.base.appendingPathComponent("metrics"))
        let metrics = String(decoding: metricsBody, as: UTF8.self)
        #expect(metricsStatus == 200)
        #expect(metrics.contains("xraywatch_screened_total{result=\"\(result["result"] as? String ?? "?")\"} 1"), "\(metrics)")
        for stage in ["decode", "backbone", "heads", "write"] {
            #expect(metrics.contains("xraywatch_stage_seconds_count{stage=\"\(stage)\"} "), "\(stage)")
        }
        #expect(metrics.contains("xraywatch_model_info{") && metrics.contains("model=\"covid_pneumo\""))
        #expect(metrics.contains("xraywatch_queue_depth"))
        // The dashboard: the row with its thumbnail, filters, counts per day, the models and their reports.
        let (_, homeBody, _) = try await Self.request(server.base.appending(queryItems: [URLQueryItem(name: "status", value: "ok")]))
        let home = String(decoding: homeBody, as: UTF8.self)
        #expect(home.contains("/rows/0/image") && home.contains("_scan.jpeg") && home.contains("Per day") && home.contains("<option value=\"ok\" selected>"))
        #expect(home.contains("/models/covid_normal/report"))
        let (filteredStatus, filteredBody, _) = try await Self.request(server.base.appending(queryItems: [URLQueryItem(name: "status", value: "rejected")]))
        #expect(filteredStatus == 200 && !String(decoding: filteredBody, as: UTF8.self).contains("_scan.jpeg"), "the filter keeps rejected rows only")
        #expect(try await Self.request(server.base.appendingPathComponent("rows/0/image")).0 == 200)
        #expect(try await Self.request(server.base.appendingPathComponent("rows/7/image")).0 == 404)
        #expect(try await Self.request(server.base.appendingPathComponent("models/covid_normal/report")).0 == 200)
        #expect(try await Self.request(server.base.appendingPathComponent("models/nonexistent/report")).0 == 404)
        try await server.stop()
        #expect(server.process.terminationStatus == 0)
    }

    @Test func badUploadsAndForeignRequestsAreRefusedWithTheReason() async throws {
        let spool = try WatchSpool(extra: ["max_bytes": "20000"])
        let server = try await Server(spool)
        let api = server.base.appendingPathComponent("api/v1/screenings")
        #expect(try await Self.request(api, method: "POST", body: Data()).0 == 400, "empty")
        let (textStatus, textBody, _) = try await Self.request(api, method: "POST", body: Data("not a picture".utf8))
        #expect(textStatus == 415 && String(decoding: textBody, as: UTF8.self).contains("not a PNG, JPEG or DICOM image"))
        let (_, jpeg) = try WatchSpool.exampleJPEG()
        #expect(jpeg.count > 20000)
        let (tooLarge, _, _) = try await Self.request(api, method: "POST", body: Data(jpeg))
        #expect(tooLarge == 413, "over max_bytes")
        #expect(try await Self.request(api, method: "POST", body: Data(try WatchSpool.png(seed: 5)), headers: ["Origin": "http://evil.example"]).0 == 403)
        #expect(try await Self.request(api, method: "POST", body: Data(try WatchSpool.png(seed: 5)), headers: ["Sec-Fetch-Site": "cross-site"]).0 == 403)
        let unknown = UUID().uuidString.lowercased()
        #expect(try await Self.request(server.base.appendingPathComponent("api/v1/screenings/\(unknown)")).0 == 404)
        for path in ["screenings/..%2F..%2Fetc%2Fpasswd/image", "screenings/\(unknown)/image", "screenings/%2Fetc%2Fpasswd", "../../etc/passwd"] {
            let (status, body, _) = try await Self.request(URL(string: server.base.absoluteString + "/" + path)!)
            #expect(status == 404, "\(path)")
            #expect(!String(decoding: body, as: UTF8.self).contains("root:"), "\(path)")
        }
        #expect(try spool.ledgerRows().isEmpty, "nothing refused reached the inbox")
        // A hostile file name reaches neither the filesystem nor the page as markup.
        let hostile = "<script>alert(1)</script>/../../=HYPERLINK(\"x\").png"
        let (accepted, acceptedBody, _) = try await Self.request(api.appending(queryItems: [URLQueryItem(name: "name", value: hostile)]),
                                                                 method: "POST", body: Data(try WatchSpool.png(seed: 6)))
        #expect(accepted == 202)
        let id = try #require(try Self.json(acceptedBody)["id"] as? String)
        let row = try await Self.waitForResult(server, id: id)
        let inputFile = try #require(row["input_file"] as? String)
        #expect(inputFile.allSatisfy { $0.isLetter || $0.isNumber || "._-".contains($0) }, "\(inputFile)")
        let (_, page, _) = try await Self.request(server.base)
        #expect(!String(decoding: page, as: UTF8.self).contains("<script>"))
        try await server.stop()
    }

    @Test func offLoopbackATokenIsRequiredAndWithoutOneTheServerDoesNotStart() async throws {
        let spool = try WatchSpool()
        let refused = try await Server(spool, arguments: ["--host", "0.0.0.0"], expectStart: false)
        try await WatchSpool.waitForExit(refused.process, timeout: 60)
        #expect(refused.process.terminationStatus == 78)
        #expect(spool.log("serve.log").contains("http.token"))
        let token = "a-long-enough-test-token-0123456789"
        let server = try await Server(spool, arguments: ["--host", "0.0.0.0"], environment: ["XRAYWATCH_HTTP_TOKEN": token])
        #expect(try await Self.request(server.base.appendingPathComponent("healthz")).0 == 200, "health needs no token")
        #expect(try await Self.request(server.base).0 == 401)
        #expect(try await Self.request(server.base, headers: ["Authorization": "Bearer wrong-token-wrong-token-000"]).0 == 401)
        #expect(try await Self.request(server.base, headers: ["Authorization": "Bearer \(token)"]).0 == 200)
        // A browser signs in once: /login sets an HttpOnly, SameSite=Strict cookie that then opens the pages.
        let (signedIn, _, signIn) = try await Self.request(server.base.appendingPathComponent("login"), method: "POST",
                                                           body: Data("token=\(token)".utf8), headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(signedIn == 303)
        let cookie = try #require(signIn.value(forHTTPHeaderField: "Set-Cookie"))
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        #expect(try await Self.request(server.base, headers: ["Cookie": String(cookie.prefix { $0 != ";" })]).0 == 200)
        #expect(try await Self.request(server.base, headers: ["Cookie": "xraywatch_token=wrong-token-wrong-token-000"]).0 == 401)
        try await server.stop()
    }

    /// The tutorial's page: a radiograph sent through the upload form, then its result page rendered by a
    /// real browser (Debian's chromium, headless) shows the verdict and the disclaimer.
    @Test(.enabled(if: Browser.path != nil, "skipped: chromium is not installed (make test installs it)"))
    func aRealBrowserShowsTheVerdictOfAnUploadedRadiograph() async throws {
        let spool = try WatchSpool()
        let server = try await Server(spool)
        let (_, jpeg) = try WatchSpool.exampleJPEG()
        let boundary = "xraywatch-test-boundary"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"chest.jpeg\"\r\nContent-Type: image/jpeg\r\n\r\n".utf8)
        body += Data(jpeg) + Data("\r\n--\(boundary)--\r\n".utf8)
        let (status, _, response) = try await Self.request(server.base.appendingPathComponent("screenings"), method: "POST", body: body,
                                                           headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)", "Origin": server.base.absoluteString])
        #expect(status == 303)
        let location = try #require(response.value(forHTTPHeaderField: "Location"))
        let id = String(location.split(separator: "/").last ?? "")
        let result = try await Self.waitForResult(server, id: id)
        let dom = try Browser.dumpDOM(server.base.absoluteString + location)
        #expect(dom.contains("class=\"verdict \(result["result"] as? String ?? "?")\""), "\(dom.prefix(2000))")
        #expect(dom.contains("not a diagnosis"))
        #expect(dom.contains("/screenings/\(id)/image"))
        let home = try Browser.dumpDOM(server.base.absoluteString + "/")
        #expect(home.contains("<form") && home.contains("chest.jpeg"), "the upload is listed on the start page")
        try await server.stop()
    }
}

extension ServeTests {
    /// `Type=notify`: once listening, serve sends READY=1 to the socket systemd names in $NOTIFY_SOCKET.
    @Test func readinessIsSentToSystemdsNotifySocket() async throws {
        let spool = try WatchSpool()
        let path = spool.root.appendingPathComponent("notify.sock").path
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        #expect(bound == 0)
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let server = try await Server(spool, environment: ["NOTIFY_SOCKET": path])
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = recv(fd, &buffer, buffer.count, 0)
        #expect(count > 0 && String(decoding: buffer.prefix(max(0, count)), as: UTF8.self) == "READY=1")
        try await server.stop()
    }
}

/// Debian's chromium, headless.
enum Browser {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func dumpDOM(_ url: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path!)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", url]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
