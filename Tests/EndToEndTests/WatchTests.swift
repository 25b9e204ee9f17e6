import CSVFormat
import Foundation
import Imaging
import Screening
import Testing
import TestSupport
import Watcher

/// `xraywatch watch` end to end: the built binary, real inotify, real files, the real models.
/// Serialized: every test runs its own watcher, and they would fight over the two cores.
@Suite(.serialized, .enabled(if: WatchSpool.modelsPresent, WatchSpool.modelsMissing))
struct WatchTests {
    @Test func filesPresentAtStartAreProcessedWithTutorialNamesAndFullResolutionCopies() async throws {
        let spool = try WatchSpool()
        let example = try WatchSpool.exampleJPEG()
        let names = ["a.png", "person63_bacteria_306.jpeg", example.name]
        try spool.drop(names[0], try WatchSpool.png(seed: 1, width: 120, height: 80))
        try spool.drop(names[1], try WatchSpool.png(seed: 2))   // PNG content behind a .jpeg name: decoded by content
        try spool.drop(names[2], example.bytes)                  // a real radiograph
        #expect(try await spool.runOnce() == 0, "log:\n\(spool.log("once.log"))")
        let rows = try spool.ledgerRows()
        try await spool.expectEveryInputRecordedOnce(names)
        #expect(rows.allSatisfy { $0.status == .ok })
        for row in rows {
            #expect(row.hasTutorialOutputName(for: row.inputFile), "\(row.outputFile)")
            #expect(row.scores.keys.sorted() == ["covid_normal", "covid_pneumo"])
            #expect(row.models.contains("covid_normal@") && row.models.contains("covid_pneumo@"))
        }
        let first = try #require(rows.first { $0.inputFile == "a.png" })
        let copy = try ImageDecoder.decode(contentsOf: spool.outbox.appendingPathComponent(first.outputFile).path)
        #expect(copy.width == 120 && copy.height > 80, "the annotated copy: the radiograph and a band below it")
        #expect(first.sha256 == FileDigest.sha256(of: try WatchSpool.png(seed: 1, width: 120, height: 80)))
        #expect(spool.contents(of: spool.archive) == names.sorted())
        let log = spool.log("once.log")
        #expect(log.contains("inotify") && log.contains("OpenBLAS kernel") && log.contains("configuration"))
    }

    @Test func copyInRenameInAndPollMode() async throws {
        for poll in [false, true] {
            let spool = try WatchSpool()
            let watcher = try spool.start(poll ? ["--poll", "0.2"] : [])
            defer { watcher.terminate() }
            // A copy written straight into the inbox (open, write, close).
            try Data(try WatchSpool.png(seed: 10)).write(to: spool.inbox.appendingPathComponent("copied.png"))
            // A file written elsewhere and renamed in.
            try spool.drop("renamed.png", try WatchSpool.png(seed: 11))
            try await spool.waitForRows(2)
            watcher.terminate()
            try await WatchSpool.waitForExit(watcher, timeout: 20)
            #expect(watcher.terminationStatus == 0)
            try await spool.expectEveryInputRecordedOnce(["copied.png", "renamed.png"])
            #expect(spool.log().contains(poll ? "poll every 0.2" : "(inotify)"))
        }
    }

    @Test func slowChunkedWriterIsNeverReadHalfWay() async throws {
        let spool = try WatchSpool(settle: 0.6)
        let watcher = try spool.start()
        defer { watcher.terminate() }
        let bytes = try WatchSpool.png(seed: 20, width: 200, height: 200)
        let path = spool.inbox.appendingPathComponent("slow.png").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        var handle = try #require(FileHandle(forWritingAtPath: path))
        // 12 pieces, 0.25 s apart (less than the settle time), closing and reopening half-way like a scanner.
        let size = (bytes.count + 11) / 12
        for (index, start) in stride(from: 0, to: bytes.count, by: size).enumerated() {
            try handle.write(contentsOf: Data(bytes[start..<min(start + size, bytes.count)]))
            if index == 6 {
                try handle.close()
                handle = try #require(FileHandle(forWritingAtPath: path), "slow.png was taken out of the inbox half-way")
                try handle.seekToEnd()
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        try handle.close()
        let rows = try await spool.waitForRows(1)
        #expect(rows.first?.status == .ok)
        #expect(rows.first?.sha256 == FileDigest.sha256(of: bytes), "the file was read before it was complete")
        try await spool.expectEveryInputRecordedOnce(["slow.png"])
    }

    @Test func hardLinkFinalisationIsTakenOnceAndWhole() async throws {
        let spool = try WatchSpool(settle: 0.6)
        let watcher = try spool.start()
        defer { watcher.terminate() }
        let bytes = try WatchSpool.png(seed: 30, width: 160, height: 160)
        let partial = spool.inbox.appendingPathComponent("upload.png.filepart").path
        _ = FileManager.default.createFile(atPath: partial, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: partial))
        for chunk in stride(from: 0, to: bytes.count, by: bytes.count / 4 + 1) {
            try handle.write(contentsOf: Data(bytes[chunk..<min(chunk + bytes.count / 4 + 1, bytes.count)]))
            try await Task.sleep(for: .milliseconds(200))
        }
        try handle.close()
        // WinSCP-style: link the finished upload to its final name, then drop the temporary name a bit later.
        #expect(link(partial, spool.inbox.appendingPathComponent("upload.png").path) == 0)
        try await Task.sleep(for: .milliseconds(300))
        #expect(unlink(partial) == 0)
        let rows = try await spool.waitForRows(1)
        try await Task.sleep(for: .milliseconds(800))
        #expect(try spool.ledgerRows().count == 1)
        #expect(rows.first?.sha256 == FileDigest.sha256(of: bytes))
        try await spool.expectEveryInputRecordedOnce(["upload.png"])
    }

    @Test func burstOf200FilesGetsExactlyOneRowEach() async throws {
        let spool = try WatchSpool()
        let watcher = try spool.start()
        defer { watcher.terminate() }
        let names = (0..<200).map { "burst-\($0).png" }
        for (index, name) in names.enumerated() { try spool.drop(name, try WatchSpool.png(seed: 1000 + index, width: 64, height: 64)) }
        let rows = try await spool.waitForRows(200, timeout: 600)
        try await Task.sleep(for: .milliseconds(500))
        #expect(rows.count == 200)
        #expect(rows.allSatisfy { $0.status == .ok })
        try await spool.expectEveryInputRecordedOnce(names)
        #expect(spool.contents(of: spool.outbox).count == 200)
    }

    @Test func badInputsAreRejectedWithAReasonAndAwkwardNamesSurvive() async throws {
        let spool = try WatchSpool()
        let outside = spool.root.appendingPathComponent("outside.png")
        try Data(try WatchSpool.png(seed: 40)).write(to: outside)
        let valid = try WatchSpool.png(seed: 41)
        var expectedRejections: [String: String] = [
            "zero.png": "empty",
            "truncated.png": "corrupt",
            "text.png": "not an image",
            "tiny.png": "too small",
            "huge.png": "max_pixels",
            "link.png": "symbolic link",
        ]
        try spool.drop("zero.png", [])
        try spool.drop("truncated.png", Array(valid.prefix(valid.count / 2)))
        try spool.drop("text.png", Array("this is not a picture\n".utf8))
        try spool.drop("tiny.png", try PNGEncoder.encode(RGBImage(width: 1, height: 1, pixels: [1, 2, 3])))
        try spool.drop("huge.png", PNGHeader.declaring(width: 50_000, height: 50_000))
        #expect(symlink(outside.path, spool.inbox.appendingPathComponent("link.png").path) == 0)
        try FileManager.default.createDirectory(at: spool.inbox.appendingPathComponent("folder.png"), withIntermediateDirectories: false)
        let jpeg = try WatchSpool.exampleJPEG().bytes
        try spool.drop("truncated.jpeg", Array(jpeg.prefix(jpeg.count / 3)))
        expectedRejections["truncated.jpeg"] = "corrupt"
        let unreadable = "unreadable.png"
        try spool.drop(unreadable, try WatchSpool.png(seed: 42))
        chmod(spool.inbox.appendingPathComponent(unreadable).path, 0)
        let awkward = ["with space.png", "ünïcödé 画像.png", "say \"hi\".png", "comma, here.png", "new\nline.png", "=HYPERLINK(1).png"]
        for (index, name) in awkward.enumerated() { try spool.drop(name, try WatchSpool.png(seed: 50 + index)) }

        #expect(try await spool.runOnce() == 0, "log:\n\(spool.log("once.log"))")
        let rows = try spool.ledgerRows()
        try await spool.expectEveryInputRecordedOnce(Array(expectedRejections.keys) + awkward + [unreadable])
        for (name, reason) in expectedRejections {
            let row = try #require(rows.first { $0.inputFile == name })
            #expect(row.status == .rejected, "\(name): \(row.reason)")
            #expect(row.reason.contains(reason), "\(name): \(row.reason)")
            #expect(FileManager.default.fileExists(atPath: spool.rejected.appendingPathComponent(name).path) || (try? FileManager.default.destinationOfSymbolicLink(atPath: spool.rejected.appendingPathComponent(name).path)) != nil)
        }
        // Root reads anything, so an unreadable file is only rejected for other users; either way it has one row.
        let unreadableRow = try #require(rows.first { $0.inputFile == unreadable })
        #expect(unreadableRow.status == (geteuid() == 0 ? .ok : .rejected))
        for name in awkward {
            let row = try #require(rows.first { $0.inputFile == CSV.neutralised(name) }, "no row for \(name)")
            #expect(row.status == .ok)
            #expect(row.hasTutorialOutputName(for: name), "\(row.outputFile)")
        }
        #expect(rows.contains { $0.inputFile == "'=HYPERLINK(1).png" })
        // The symlink's target outside the inbox is untouched.
        #expect(FileManager.default.fileExists(atPath: outside.path))
        // A sub-folder is the user's: left in the inbox, no row, one warning.
        #expect(!rows.contains { $0.inputFile == "folder.png" })
        var isFolder: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: spool.inbox.appendingPathComponent("folder.png").path, isDirectory: &isFolder) && isFolder.boolValue)
        #expect(spool.log("once.log").components(separatedBy: "folder.png is a folder").count == 2, "warned once:\n\(spool.log("once.log"))")
    }

    @Test func sameContentTwiceIsCountedOnceAndPointsToTheFirstResult() async throws {
        let spool = try WatchSpool()
        let bytes = try WatchSpool.png(seed: 60)
        try spool.drop("first.png", bytes)
        #expect(try await spool.runOnce() == 0)
        try spool.drop("again.png", bytes)
        #expect(try await spool.runOnce() == 0)
        let rows = try spool.ledgerRows()
        #expect(rows.map(\.status) == [.ok, .duplicate])
        #expect(rows[1].outputFile == rows[0].outputFile)
        #expect(spool.contents(of: spool.outbox).count == 1)
        #expect(spool.contents(of: spool.archive) == ["again.png", "first.png"])
    }

    @Test func deleteAfterRemovesInputsInsteadOfArchiving() async throws {
        let spool = try WatchSpool()
        try spool.drop("gone.png", try WatchSpool.png(seed: 70))
        #expect(try await spool.runOnce(["--delete-after"]) == 0)
        try await spool.expectEveryInputRecordedOnce(["gone.png"])
        #expect(spool.contents(of: spool.archive).isEmpty)
        #expect(spool.contents(of: spool.outbox).count == 1)
    }

    @Test func twoInstancesOnOneInboxNeverProcessTheSameFile() async throws {
        let spool = try WatchSpool()
        let first = try spool.start(log: "first.log"), second = try spool.start(log: "second.log")
        defer { first.terminate(); second.terminate() }
        try await Task.sleep(for: .seconds(2))   // both loaded and watching
        let names = (0..<40).map { "shared-\($0).png" }
        for (index, name) in names.enumerated() { try spool.drop(name, try WatchSpool.png(seed: 2000 + index, width: 64, height: 64)) }
        try await spool.waitForRows(40, timeout: 300)
        try await Task.sleep(for: .milliseconds(500))
        try await spool.expectEveryInputRecordedOnce(names)
        #expect(try spool.ledgerRows().count == 40)
        for process in [first, second] {
            process.terminate()
            try await WatchSpool.waitForExit(process, timeout: 20)
            #expect(process.terminationStatus == 0)
        }
        #expect(spool.log("first.log").contains(" ok ") && spool.log("second.log").contains(" ok "), "both instances took a share")
    }

    @Test func killNineInTheMiddleOfABurstThenRestart() async throws {
        let spool = try WatchSpool()
        let names = (0..<40).map { "crash-\($0).png" }
        for round in 0..<3 {
            let watcher = try spool.start(log: "crash-\(round).log")
            if round == 0 {
                for (index, name) in names.enumerated() { try spool.drop(name, try WatchSpool.png(seed: 3000 + index, width: 64, height: 64)) }
            }
            // Kill at a different moment each round: while outputs and rows are being written.
            let before = try spool.ledgerRows().count
            try await spool.waitForRows(min(before + 5 + round * 3, names.count), timeout: 120)
            try await Task.sleep(for: .milliseconds(37 * round))
            kill(watcher.processIdentifier, SIGKILL)
            try await WatchSpool.waitForExit(watcher, timeout: 10)
        }
        #expect(try await spool.runOnce() == 0, "log:\n\(spool.log("once.log"))")
        try await spool.expectEveryInputRecordedOnce(names)
        let rows = try spool.ledgerRows()
        #expect(rows.allSatisfy { $0.status == .ok })
        #expect(Set(rows.map(\.outputFile)).count == rows.count)
        // Every outbox file is a whole PNG and belongs to a row.
        #expect(Set(spool.contents(of: spool.outbox)) == Set(rows.map(\.outputFile)))
        for name in spool.contents(of: spool.outbox) {
            #expect(throws: Never.self) { _ = try ImageDecoder.decode(contentsOf: spool.outbox.appendingPathComponent(name).path) }
        }
    }

    @Test func sigtermFinishesTheFilesInHandAndExitsZero() async throws {
        let spool = try WatchSpool()
        let watcher = try spool.start()
        let names = (0..<30).map { "term-\($0).png" }
        for (index, name) in names.enumerated() { try spool.drop(name, try WatchSpool.png(seed: 4000 + index, width: 64, height: 64)) }
        try await spool.waitForRows(1, timeout: 120)
        let asked = Date()
        watcher.terminate()
        try await WatchSpool.waitForExit(watcher, timeout: 15)
        #expect(watcher.terminationStatus == 0)
        #expect(Date().timeIntervalSince(asked) < 10)
        // Nothing lost: every input has its row or is back in the inbox; no claim is left behind.
        let recorded = try spool.ledgerRows().map(\.inputFile)
        #expect(Set(recorded + spool.inboxFiles) == Set(names))
        #expect(recorded.count + spool.inboxFiles.count == names.count)
        #expect(spool.workItems.isEmpty)
        #expect(try await spool.runOnce() == 0)
        try await spool.expectEveryInputRecordedOnce(names)
    }

    @Test func configurationErrorsStopTheWatcherNamingTheKey() async throws {
        // Unknown keys are reported first.
        let unknown = try WatchSpool(extra: ["outbox": "\"inbox/out\"", "colour": "1"])
        #expect(try await unknown.runOnce() == 78, "EX_CONFIG: not a usage error, and not one systemd should restart on")
        #expect(unknown.log("once.log").contains("key \"colour\": unknown key"), "\(unknown.log("once.log"))")
        // Then impossible values, naming the key at fault; nothing is created.
        let inside = try WatchSpool(extra: ["outbox": "\"inbox/out\""])
        #expect(try await inside.runOnce() == 78)
        #expect(inside.log("once.log").contains("key \"outbox\"") && inside.log("once.log").contains("inside the inbox"), "\(inside.log("once.log"))")
        #expect(!FileManager.default.fileExists(atPath: inside.root.appendingPathComponent("inbox/out").path))
    }
}

/// A PNG that declares a size in its header (valid CRC) but carries no real pixel data.
enum PNGHeader {
    static func declaring(width: UInt32, height: UInt32) -> [UInt8] {
        func bigEndian(_ value: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
        }
        let header = bigEndian(width) + bigEndian(height) + [8, 2, 0, 0, 0]
        return [137, 80, 78, 71, 13, 10, 26, 10] + chunk("IHDR", header) + chunk("IDAT", [120, 156, 3, 0, 0, 0, 0, 1]) + chunk("IEND", [])
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
