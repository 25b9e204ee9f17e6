import ArgumentParser

// Placeholder until this command is written.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure backbone speed, end-to-end throughput and peak memory.")
    func run() async throws { throw ValidationError("not available yet") }
}
