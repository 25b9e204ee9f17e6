import ArgumentParser

// Placeholder until this command is written.
struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Watch an inbox folder and screen every radiograph dropped into it.")
    func run() async throws { throw ValidationError("not available yet") }
}
