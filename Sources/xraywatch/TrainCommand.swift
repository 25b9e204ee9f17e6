import ArgumentParser

// Placeholder until this command is written.
struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Train a classifier head on labelled images.")
    func run() async throws { throw ValidationError("not available yet") }
}
