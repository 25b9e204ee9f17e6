import ArgumentParser

// Placeholder until this command is written.
struct Classify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Screen image files and print one line (or JSON object) per file.")
    func run() async throws { throw ValidationError("not available yet") }
}
