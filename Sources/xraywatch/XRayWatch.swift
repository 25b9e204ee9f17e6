import ArgumentParser
import NeuralEngine
import Screening

/// `xraywatch`: screens chest X-rays for COVID-19. A screening and teaching tool, never a diagnosis.
@main
struct XRayWatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xraywatch",
        abstract: "Screen chest X-rays for COVID-19 (a screening and teaching tool, never a diagnosis).",
        version: ProgramVersion.text,
        subcommands: [Watch.self, Serve.self, Classify.self, Train.self, TrainLungs.self, TrainRefusal.self, Evaluate.self, ImportDataset.self, Bench.self]
    )

    static func main() async {
        // Before any BLAS call: Debian's OpenBLAS may not recognise this CPU; this may re-exec the process.
        ProcessSetup.chooseBLASKernelsAndThreads()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
