import ArgumentParser

// Placeholder until this command is written.
struct ImportDataset: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Build class folders or a manifest from a Cohen-style metadata.csv.")
    func run() async throws { throw ValidationError("not available yet") }
}
