import ArgumentParser
import Foundation
import HTTPService
import Logging
import Metrics
import Prometheus
import Watcher

/// `xraywatch serve`: the watcher and the web page in one process, one set of loaded models.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch the inbox and serve the upload page, results and JSON API over HTTP.",
        discussion: """
        Listens on 127.0.0.1:8080 by default (config section http: host, port, token). On another interface a \
        token is required (http.token or XRAYWATCH_HTTP_TOKEN) for every route but /healthz; without one the \
        server does not start. Uploads enter the inbox like any file; results are their ledger rows. SIGTERM and \
        SIGINT stop both. A screening aid, never a diagnosis.
        """)

    @Option(help: "Configuration file (default: as for watch).") var config: String?
    @Option(help: "Address to listen on (overrides http.host).") var host: String?
    @Option(help: "Port (overrides http.port; 0 picks a free one, logged as 'listening on').") var port: Int?

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be within 0...65535") }
    }

    func run() async throws {
        // Metrics go to Prometheus (`/metrics`); bootstrapped before the watcher records any.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let (configuration, watcher, screener, logger) = try WatcherStartup.prepare(config: config, overrides: ConfigurationOverrides())
        var settings = configuration.http
        if let host { settings.host = host }
        if let port { settings.port = port }
        if let token = ProcessInfo.processInfo.environment["XRAYWATCH_HTTP_TOKEN"], !token.isEmpty { settings.token = token }
        let models = screener.models.map { model in
            ScreeningDesk.LoadedModel(name: model.name, version: model.manifest.version, hash: model.shortHash,
                                      threshold: screener.decision.threshold(for: model.name), manifestPath: model.manifestPath)
        }
        let server = WebServer(desk: ScreeningDesk(configuration: configuration, models: models),
                               settings: settings, logger: Logger(label: "xraywatch.http"), metrics: registry)
        do { try server.validate() } catch {
            logger.critical("\(error)")
            throw ExitCode(WatcherStartup.configurationExitCode)
        }
        do {
            try await server.application(services: [watcher], onReady: { SystemdNotify.send("READY=1") }).runService()
        } catch {
            logger.critical("\(error)")
            throw ExitCode.failure
        }
    }
}
