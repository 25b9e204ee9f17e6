import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import Watcher

/// `xraywatch serve`'s HTTP side: the tutorial's upload page done by the service, result pages, a JSON API
/// (`openapi.yaml` in the repository) and health checks, over the same inbox, outbox and ledger the watcher
/// uses. Refuses to listen beyond the loopback interface without a token.
public struct WebServer: Sendable {
    public let desk: ScreeningDesk
    public let settings: HTTPSettings
    public let logger: Logger
    /// Where the metrics are collected (the executable bootstraps swift-metrics with it); `/metrics` shows it.
    public let metrics: PrometheusCollectorRegistry

    public init(desk: ScreeningDesk, settings: HTTPSettings, logger: Logger, metrics: PrometheusCollectorRegistry) {
        self.desk = desk
        self.settings = settings
        self.logger = logger
        self.metrics = metrics
    }

    /// Why the server will not start.
    public struct SettingsError: Error, CustomStringConvertible {
        public let description: String
    }

    public func validate() throws(SettingsError) {
        if !settings.isLoopback && settings.token == nil {
            throw SettingsError(description: "http.host \(settings.host) is not the loopback interface: set http.token (or XRAYWATCH_HTTP_TOKEN, at least 16 characters) so that only holders of the token can upload and read results")
        }
    }

    /// The application, running `services` (the watcher) beside the server in one service group; `onReady`
    /// runs once the server listens (the executable tells systemd).
    public func application(services: [any Service], onReady: @escaping @Sendable () -> Void = {}) -> some ApplicationProtocol {
        let logger = logger, settings = settings
        return Application(
            router: router(), configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "xraywatch"),
            services: services,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? settings.port
                logger.info("listening on http://\(settings.host):\(port)\(settings.token == nil ? "" : " (token required)")",
                            metadata: ["port": .stringConvertible(port)])
                onReady()
            },
            logger: logger)
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        if let token = settings.token { router.add(middleware: TokenMiddleware(token: token)) }
        router.add(middleware: SameOriginMiddleware())
        let desk = desk, maxBytes = desk.configuration.imageLimits.maxBytes

        router.get("/healthz") { _, _ in Responses.text("ok", status: .ok) }
        let registry = metrics
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/readyz") { _, _ in
            let checks = desk.readiness()
            return Responses.json(checks, status: checks.values.allSatisfy { $0 } ? .ok : .serviceUnavailable)
        }
        router.get("/login") { _, _ in
            Responses.html(Pages.page("Sign in", body: "<form method=\"post\" action=\"/login\"><p><label>Token: <input type=\"password\" name=\"token\"></label> <button>Sign in</button></p></form>"))
        }
        router.post("/login") { request, context in
            var request = request
            let body = String(buffer: try await request.collectBody(upTo: 4096))
            let token = body.split(separator: "&").first { $0.hasPrefix("token=") }.map { String($0.dropFirst(6)).removingPercentEncoding ?? "" } ?? ""
            // The cookie holds the token as typed; a character that could end the cookie is refused.
            guard !token.isEmpty, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.~+/=".contains($0)) }) else {
                return Responses.html(Pages.message("Sign in", "That is not a token."), status: .badRequest)
            }
            var response = Responses.redirect("/")
            response.headers[.setCookie] = "xraywatch_token=\(token); HttpOnly; SameSite=Strict; Path=/"
            return response
        }
        router.get("/") { request, _ in
            let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
            return Responses.html(Dashboard.render(desk: desk, query: query))
        }
        // Images of any ledger row by its number (files named by ledger rows only), and the models' reports.
        router.get("/rows/{number}/image") { _, context in
            let rows = desk.rows()
            guard let number = context.parameters.get("number", as: Int.self), rows.indices.contains(number),
                  let image = desk.outboxImage(of: rows[number]) else { return Responses.text("no image", status: .notFound) }
            return Responses.png(image)
        }
        router.get("/models/{name}/report") { _, context in
            guard let model = desk.models.first(where: { $0.name == context.parameters.get("name") }), let path = model.reportPath,
                  let html = FileManager.default.contents(atPath: path) else { return Responses.text("no report", status: .notFound) }
            return Responses.html(String(decoding: html, as: UTF8.self))
        }

        // The form: multipart upload, then the result page.
        router.post("/screenings") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: maxBytes + 64 * 1024)
            guard let file = Multipart.firstFile(body: Array(buffer: body), contentType: request.headers[.contentType] ?? "") else {
                return Responses.html(Pages.message("Not screened", "The form sent no file."), status: .badRequest)
            }
            do {
                let id = try desk.accept(file.bytes, originalName: file.fileName)
                return Responses.redirect("/screenings/\(id)")
            } catch let error as ScreeningDesk.UploadError {
                return Responses.html(Pages.message("Not screened", error.description), status: .init(code: error.status))
            }
        }
        router.get("/screenings/{id}") { _, context in
            let id = context.parameters.get("id") ?? ""
            if let row = desk.row(for: id) { return Responses.html(Pages.result(id: id, row: row, policy: row.policy)) }
            guard desk.isPending(id) else { return Responses.html(Pages.message("Unknown", "No screening has this id."), status: .notFound) }
            return Responses.html(Pages.pending(id: id))
        }
        router.get("/screenings/{id}/image") { _, context in
            guard let row = desk.row(for: context.parameters.get("id") ?? ""), let image = desk.outboxImage(of: row) else {
                return Responses.text("no image", status: .notFound)
            }
            return Responses.png(image)
        }

        // The JSON API (openapi.yaml).
        router.post("/api/v1/screenings") { request, _ in
            var request = request
            let body = Array(buffer: try await request.collectBody(upTo: maxBytes + 64 * 1024))
            let contentType = request.headers[.contentType] ?? ""
            let upload: (bytes: [UInt8], fileName: String)
            if contentType.hasPrefix("multipart/form-data") {
                guard let file = Multipart.firstFile(body: body, contentType: contentType) else {
                    return Responses.json(["error": "the multipart body holds no file"], status: .badRequest)
                }
                upload = file
            } else {
                upload = (body, request.uri.queryParameters["name"].map(String.init) ?? "upload")
            }
            do {
                let id = try desk.accept(upload.bytes, originalName: upload.fileName)
                return Responses.json(["id": id, "status": "pending", "href": "/api/v1/screenings/\(id)"], status: .accepted)
            } catch let error as ScreeningDesk.UploadError {
                return Responses.json(["error": error.description], status: .init(code: error.status))
            }
        }
        router.get("/api/v1/screenings/{id}") { _, context in
            let id = context.parameters.get("id") ?? ""
            if let row = desk.row(for: id) { return Responses.json(RowJSON.object(id: id, row: row)) }
            guard desk.isPending(id) else { return Responses.json(["error": "no screening has this id"], status: .notFound) }
            return Responses.json(["id": id, "status": "pending"])
        }
        router.get("/api/v1/screenings") { request, _ in
            let since = request.uri.queryParameters["since"].map(String.init) ?? ""
            let rows = desk.rows().filter { $0.time >= since }.suffix(500)
            return Responses.json(["screenings": rows.map { row in
                RowJSON.object(id: ScreeningDesk.isID(String(row.inputFile.prefix(36))) ? String(row.inputFile.prefix(36)) : nil, row: row)
            }])
        }
        return router
    }
}
