import ArgumentParser
import Screening
import Watcher

extension BackbonePrecisionChoice: ExpressibleByArgument {}

/// Options shared by the commands that load the models: which configuration, and single-key overrides.
struct EngineOptions: ParsableArguments {
    @Option(help: "Configuration file (models, policy, thresholds, limits); default: $XRAYWATCH_CONFIG, ./config.json, ~/.config/xraywatch/config.json, /etc/xraywatch/config.json, else the defaults.")
    var config: String?

    @Option(help: "Decision policy: both, either, or a model name (overrides the configuration).")
    var policy: String?

    @Option(help: "Backbone engine: auto (int8 where the CPU has VNNI), fp32 or int8 (overrides backbone_precision).")
    var backbonePrecision: BackbonePrecisionChoice?

    /// Reads the configuration and loads the backbone and models; errors name the file or key at fault.
    func load() throws -> (Configuration, Screener) {
        let configuration = try ConfigurationLoader.load(file: config, overrides: ConfigurationOverrides(policy: policy, backbonePrecision: backbonePrecision))
        let screener = try Screener.load(backbonePath: configuration.backbonePath,
                                         modelPaths: configuration.modelPaths,
                                         decision: configuration.decision,
                                         segmenterPath: configuration.lungsPath, refusalPath: configuration.refusalPath,
                                         precision: configuration.backbonePrecision,
                                         workers: ProcessSetup.backboneWorkers(configuration.workers))
        return (configuration, screener)
    }
}
