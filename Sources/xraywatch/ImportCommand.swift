import ArgumentParser
import Foundation
import Training

/// `xraywatch import-dataset`: the tutorial's Part 1, selecting images from a Cohen-style metadata.csv.
struct ImportDataset: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build class folders or a manifest from a Cohen-style metadata.csv.",
        discussion: """
        Selects rows of metadata.csv by modality, view and finding (a finding such as \
        Pneumonia/Viral/COVID-19 matches any of its /-parts), leaves out the files named in --holdout, and \
        hard-links (or copies) the images into OUT/LABEL/, or with --manifest writes a path,label,source,patient \
        CSV instead. Example: --modality X-ray --view PA --finding COVID-19 --label covid.
        """)

    @Option(help: "Cohen-style metadata.csv.") var metadata: String
    @Option(help: "Folder holding the files named in the filename column.") var images: String
    @Option(name: .customLong("out"), help: "Output folder for class sub-folders.") var outputFolder: String?
    @Option(help: "Keep rows with this modality, e.g. X-ray.") var modality: String?
    @Option(help: "Keep rows with this view, e.g. PA.") var view: String?
    @Option(help: "Keep rows with this finding, e.g. COVID-19.") var finding: String?
    @Option(help: "File listing file names to leave out (one per line).") var holdout: String?
    @Option(help: "Class label (default: the finding, lowercased, e.g. covid).") var label: String?
    @Option(help: "Source name for the manifest's source column.") var source: String = "cohen"
    @Option(help: "Write this manifest CSV instead of copying files.") var manifest: String?

    func run() async throws {
        guard (outputFolder == nil) != (manifest == nil) else { throw ValidationError("give exactly one of --out FOLDER or --manifest FILE.csv") }
        var job = DatasetImport(metadataPath: metadata, imagesFolder: images)
        job.modality = modality
        job.view = view
        job.finding = finding
        job.holdoutPath = holdout
        job.label = label
        job.source = source
        do {
            let summary: DatasetImport.Summary
            if let manifest {
                summary = try job.writeManifest(to: manifest)
            } else {
                summary = try job.copy(into: outputFolder!)
            }
            for path in summary.missing {
                FileHandle.standardError.write(Data("warning: \(path) is listed in \(metadata) but missing\n".utf8))
            }
            print("label \(job.effectiveLabel): \(summary.selected) selected, \(summary.heldOut) held out, \(summary.written) written, \(summary.alreadyPresent) already present, \(summary.missing.count) missing")
            print("wrote \(manifest ?? outputFolder! + "/" + job.effectiveLabel)")
        } catch {
            throw RuntimeFailure(error)
        }
    }
}
