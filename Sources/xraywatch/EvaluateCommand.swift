import ArgumentParser

// Placeholder until this command is written.
struct Evaluate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Evaluate a model or the decision policy on labelled images.")
    func run() async throws { throw ValidationError("not available yet") }
}
