import ArgumentParser
import Foundation
import Logging
import NeuralEngine
import Screening
import ServiceLifecycle
import Watcher

/// `xraywatch watch`: screens every radiograph dropped into the inbox until SIGTERM/SIGINT (or, with
/// `--once`, until the inbox is empty).
struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch an inbox folder and screen every radiograph dropped into it.",
        discussion: """
        Each file is classified with both models, copied into the outbox as \
        POSITIVE_Prob_96_Name_<file>.png and recorded in the CSV ledger; the input then moves to the archive \
        (or to the rejected folder when it cannot be classified). Settings come from config.json; options \
        override single keys. SIGTERM and SIGINT finish the files in hand and exit 0.
        """)

    @Option(help: "Configuration file (paths in it are relative to its folder); default: $XRAYWATCH_CONFIG, ./config.json, ~/.config/xraywatch/config.json, /etc/xraywatch/config.json, else the defaults.")
    var config: String?
    @Option(help: "Inbox folder (overrides `inbox`).") var inbox: String?
    @Option(help: "Outbox folder (overrides `outbox`).") var outbox: String?
    @Option(help: "Archive folder for processed inputs (overrides `archive`).") var archive: String?
    @Option(help: "Folder for inputs that cannot be classified (overrides `rejected`).") var rejected: String?
    @Option(help: "Ledger CSV file (overrides `ledger`).") var ledger: String?
    @Option(name: .customLong("poll"), help: ArgumentHelp("Poll the inbox every SECONDS instead of using inotify (network filesystems); 0 = inotify.", valueName: "seconds"))
    var pollSeconds: Double?
    @Option(help: "Decision policy: both, either, or a model name (overrides `policy`).") var policy: String?
    @Option(name: .customLong("settle"), help: ArgumentHelp("Seconds a file must be quiet before it is taken (overrides `settle_seconds`).", valueName: "seconds"))
    var settleSeconds: Double?
    @Flag(help: "Delete inputs after processing instead of archiving them.") var deleteAfter = false
    @Option(help: "Log format: text or json (overrides `log_format`).") var logFormat: String?
    @Option(help: "Log level: debug, info, warning or error (overrides `log_level`).") var logLevel: String?
    @Flag(help: "Process what is in the inbox now, wait for it to settle and finish, then exit.") var once = false

    func run() async throws {
        let (_, service, _, _) = try WatcherStartup.prepare(config: config, overrides: overrides, once: once)
        var lifecycleLogger = Logger(label: "xraywatch.lifecycle")
        lifecycleLogger.logLevel = .warning
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: lifecycleLogger))
        do {
            try await group.run()
        } catch {
            throw ExitCode.failure   // the service has logged what went wrong
        }
    }

    var overrides: ConfigurationOverrides {
        ConfigurationOverrides(
            inbox: inbox, outbox: outbox, archive: archive, rejected: rejected, ledger: ledger,
            pollSeconds: pollSeconds, settleSeconds: settleSeconds, policy: policy,
            after: deleteAfter ? .delete : nil, logLevel: logLevel, logFormat: logFormat)
    }
}

/// What `watch` and `serve` share: the configuration, logging, the loaded models (logged) and the watch service.
enum WatcherStartup {
    /// Exit status for a configuration that cannot be used (EX_CONFIG): the systemd unit does not restart on it.
    static let configurationExitCode: Int32 = 78

    static func prepare(config: String?, overrides: ConfigurationOverrides, once: Bool = false) throws -> (Configuration, WatchService, Screener, Logger) {
        let configuration: Configuration
        do { configuration = try ConfigurationLoader.load(file: config, overrides: overrides) } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw ExitCode(configurationExitCode)
        }
        LoggingSystem.bootstrap { label in
            StderrLogHandler(label: label, format: configuration.logFormat, level: configuration.logLevel)
        }
        let logger = Logger(label: "xraywatch.watch")

        // The backbone spreads its own work over the cores (OpenBLAS itself runs one thread, see ProcessSetup);
        // decoding runs beside it.
        let cores = ProcessSetup.availableCores()
        let decoders = max(1, cores / 4)
        logger.info("configuration \(configuration.configPath)")
        logger.info("\(BLASRuntime.kernelDescription); \(decoders) decoder(s)",
                    metadata: ["blas_kernel": "\(BLASRuntime.kernelName)", "blas_threads": "\(BLASRuntime.threadCount)"])
        let screener = try Screener.load(backbonePath: configuration.backbonePath, modelPaths: configuration.modelPaths,
                                         decision: configuration.decision, segmenterPath: configuration.lungsPath,
                                         refusalPath: configuration.refusalPath, precision: configuration.backbonePrecision,
                                         workers: ProcessSetup.backboneWorkers(configuration.workers))
        logger.info("backbone \(configuration.backbonePath) (\(screener.backboneSHA256.prefix(12))), \(screener.backbone.engineDescription), \(screener.backbone.workers) thread(s)",
                    metadata: ["backbone_precision": "\(screener.backbone.precision.rawValue)"])
        if let segmenter = screener.segmenter {
            logger.info("lung segmenter \(segmenter.name) \(segmenter.manifest.version) (\(segmenter.manifest.weights.sha256.prefix(12)))")
        }
        if let refusal = screener.refusal {
            logger.info("refusal check \(refusal.manifest.name) \(refusal.manifest.version) (\(refusal.manifest.weights.sha256.prefix(12))): INDETERMINATE beyond feature distance \(String(format: "%.1f", refusal.manifest.distanceThreshold))\(refusal.manifest.refuseWithoutLungs ? " or without a plausible pair of lungs" : "")")
        }
        for model in screener.models {
            logger.info("model \(model.name) \(model.manifest.version) (\(model.shortHash)), threshold \(screener.decision.threshold(for: model.name))",
                        metadata: ["model": "\(model.name)", "hash": "\(model.shortHash)"])
        }
        logger.info("policy \(configuration.decision.policy)")
        let service = WatchService(configuration: configuration, screener: screener, logger: logger, once: once, decoders: decoders)
        return (configuration, service, screener, logger)
    }
}
