import ArgumentParser
import Foundation
import Imaging
import Screening
import Watcher

/// `xraywatch classify FILE...`: screens files (or the images in folders) and prints one line per file.
struct Classify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Screen image files and print one line (or JSON object) per file.",
        discussion: "Models, policy, thresholds and limits come from the configuration file. Exit status 1 if any file failed or a folder held no image (after all the others were screened). A screening aid, never a diagnosis.")

    @OptionGroup var engine: EngineOptions

    @Flag(help: "Print one JSON object per line.")
    var json = false

    @Option(help: "Also write each image with its lung outline drawn, as DIR/<file name>.lungs.png (needs the lung segmenter, config key lungs).")
    var overlay: String?

    @Argument(help: "Image files (any name: decoding goes by content), or folders whose .png/.jpg/.jpeg/.jfif files are screened, sub-folders included.")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one image file or folder") }
    }

    func run() async throws {
        let (configuration, screener) = try engine.load()
        if overlay != nil && screener.segmenter == nil {
            throw ValidationError("--overlay needs the lung segmenter: set \"lungs\" in \(configuration.configPath)")
        }
        let inputs = InputFiles.expand(files)
        var failed = false
        for folder in inputs.foldersWithoutImages {
            FileHandle.standardError.write(Data("xraywatch classify: \(folder): no image files (\(InputFiles.imageExtensions.sorted().map { "." + $0 }.joined(separator: ", "))) in it or its sub-folders\n".utf8))
            failed = true
        }
        for chunk in inputs.files.chunked(into: configuration.batchSize) {
            let lines = ScreeningRun.screen(chunk, with: screener, limits: configuration.imageLimits) { file, image, verdict in
                guard let overlay, let lungs = verdict.lungs else { return }
                do {
                    try LungOverlayFile.write(lungs.overlay(on: image), named: URL(fileURLWithPath: file).lastPathComponent + ".lungs.png", into: overlay)
                } catch {
                    FileHandle.standardError.write(Data("xraywatch classify: \(error)\n".utf8))
                    failed = true
                }
            }
            for line in lines.map(ClassificationLine.init) {
                if case .undecodable = line.screened.outcome { failed = true }
                print(json ? try line.json() : line.text)
            }
        }
        if failed { throw ExitCode(1) }
    }
}
