import Foundation
import Testing
import TestSupport
@testable import Watcher

@Suite struct IgnoreRulesTests {
    @Test(arguments: [".hidden.png", ".scan.png.Ab12Cd", "x.png.part", "x.png.filepart", "x.PNG.TMP", "x.png~",
                      "x.png.crdownload", "notes.txt"])
    func ignored(name: String) {
        #expect(IgnoreRules(patterns: ["*.txt"]).ignores(FileName(name)))
    }

    @Test(arguments: ["x.png", "person63_bacteria_306.jpeg", "a b.jpg", "=x.png", "x.partner.png", "ünï.png"])
    func taken(name: String) {
        #expect(!IgnoreRules(patterns: ["*.txt"]).ignores(FileName(name)))
    }
}

@Suite struct ReadinessTests {
    static func signature(size: Int, modified: Int = 1, links: Int = 1) -> ReadinessTracker.Signature {
        ReadinessTracker.Signature(FileStatus(kind: .regular, size: size, modified: modified, changed: modified,
                                              device: 1, inode: 7, linkCount: links))
    }

    /// Looks at `name` at the given times with the given signatures; returns each look's verdict.
    static func looks(_ tracker: inout ReadinessTracker, _ name: String, _ sequence: [(Double, ReadinessTracker.Signature)]) -> [Bool] {
        sequence.map { tracker.observe(FileName(name), $0.1, now: $0.0) }
    }

    @Test func needsTwoEqualLooksAndTheSettleTime() {
        var tracker = ReadinessTracker(settleSeconds: 1)
        let same = Self.signature(size: 10)
        // first look; same but not quiet long enough; quiet for the settle time
        #expect(Self.looks(&tracker, "a.png", [(0, same), (0.5, same)]) == [false, false])
        #expect(tracker.nextDeadline == 1)
        #expect(Self.looks(&tracker, "a.png", [(1.0, same)]) == [true])
    }

    @Test func anyChangeRestartsTheQuietTime() {
        var tracker = ReadinessTracker(settleSeconds: 1)
        let final = Self.signature(size: 20, modified: 2, links: 2)
        let verdicts = Self.looks(&tracker, "a.png", [
            (0, Self.signature(size: 10)),
            (1.5, Self.signature(size: 20)),               // still growing
            (2.6, Self.signature(size: 20, modified: 2)),  // rewritten in place
            (3.7, final),                                  // hard-link finalisation step
        ])
        #expect(verdicts == [false, false, false, false])
        tracker.noteActivity(FileName("a.png"), now: 4.0)  // an inotify event
        #expect(Self.looks(&tracker, "a.png", [(4.5, final), (5.0, final)]) == [false, true])
    }

    @Test func settleZeroStillNeedsTwoLooks() {
        var tracker = ReadinessTracker(settleSeconds: 0)
        #expect(Self.looks(&tracker, "a", [(0, Self.signature(size: 1)), (0, Self.signature(size: 1))]) == [false, true])
    }

    @Test func forgetsFilesThatAreGone() {
        var tracker = ReadinessTracker(settleSeconds: 1)
        _ = Self.looks(&tracker, "a", [(0, Self.signature(size: 1))])
        _ = Self.looks(&tracker, "b", [(0, Self.signature(size: 1))])
        tracker.keepOnly([FileName("b")])
        #expect(tracker.pendingCount == 1)
    }
}

@Suite struct ClaimTests {
    @Test func exactlyOneOfTwoClaimersGetsEachFile() async throws {
        let root = try Fixtures.makeTemporaryDirectory("claims")
        defer { try? FileManager.default.removeItem(at: root) }
        let inboxURL = root.appendingPathComponent("inbox"), workURL = root.appendingPathComponent("inbox/.work")
        try FileManager.default.createDirectory(at: workURL, withIntermediateDirectories: true)
        let names = (0..<200).map { FileName("f\($0).png") }
        for name in names { try Data("x".utf8).write(to: inboxURL.appendingPathComponent(name.description)) }
        let inbox = try Directory(path: inboxURL.path), work = try Directory(path: workURL.path)
        let claimers = [try ClaimFolder.create(in: work), try ClaimFolder.create(in: work)]
        let won = await withTaskGroup(of: [FileName].self) { group in
            for claimer in claimers {
                group.addTask { names.compactMap { try? claimer.claim($0, from: inbox)?.name } }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(won.count == names.count)
        #expect(Set(won) == Set(names))
        #expect(try inbox.entries() == [FileName(".work")])
    }

    @Test func aLiveFolderIsNotAdoptedAndACrashedOneIs() throws {
        let root = try Fixtures.makeTemporaryDirectory("claims")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("inbox/.work"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: root.appendingPathComponent("inbox/a.png"))
        let inbox = try Directory(path: root.appendingPathComponent("inbox").path)
        let work = try Directory(path: root.appendingPathComponent("inbox/.work").path)
        let crashedName: FileName
        do {
            let crashed = try ClaimFolder.create(in: work)
            crashedName = crashed.name
            _ = try #require(try crashed.claim(FileName("a.png"), from: inbox))
            #expect(try ClaimFolder.adoptOrphans(in: work).isEmpty)     // its lock is held
        }   // the folder object is gone and its lock released, as when a process dies
        let adopted = try ClaimFolder.adoptOrphans(in: work)
        #expect(adopted.map(\.name) == [crashedName])
        let items = try adopted[0].items()
        #expect(items.count == 1)
        #expect(try items[0].item.entries() == [FileName("a.png")])
        #expect(try ClaimFolder.adoptOrphans(in: work).isEmpty)     // now held by the adopter
    }
}

@Suite struct OutboxTests {
    @Test func nameFollowsTheTutorialAndKeepsTheExtension() {
        let name = Outbox.outputName(result: .positive, prob: 96, original: FileName("person63_bacteria_306.jpeg"))
        #expect(name.description == "POSITIVE_Prob_96_Name_person63_bacteria_306.jpeg.png")
        #expect(Outbox.outputName(result: .negative, prob: 7, original: FileName("a.png")).description == "NEGATIVE_Prob_7_Name_a.png.png")
    }

    @Test func veryLongNamesAreShortenedAtACharacterBoundary() {
        let original = FileName(String(repeating: "é", count: 200))
        let name = Outbox.outputName(result: .positive, prob: 50, original: original)
        #expect(name.bytes.count <= 255 - 6)
        #expect(name.description.hasSuffix("é.png"))
        #expect(!name.description.contains("\u{FFFD}"))
    }

    @Test func clashesGetNumberedAndNothingIsOverwritten() throws {
        let root = try Fixtures.makeTemporaryDirectory("outbox")
        defer { try? FileManager.default.removeItem(at: root) }
        let outbox = Outbox(folder: try Directory(path: root.path))
        let name = FileName("POSITIVE_Prob_96_Name_a.png.png")
        var written: [FileName] = []
        for n in 1...3 {
            let temporary = Outbox.temporaryName(claimID: "test-\(n)")
            written.append(try outbox.write([UInt8(n)], as: name, temporary: temporary))
            try outbox.discard(temporary: temporary)
        }
        #expect(written.map(\.description) == ["POSITIVE_Prob_96_Name_a.png.png", "POSITIVE_Prob_96_Name_a.png_2.png",
                                               "POSITIVE_Prob_96_Name_a.png_3.png"])
        #expect(try Data(contentsOf: root.appendingPathComponent("POSITIVE_Prob_96_Name_a.png.png")) == Data([1]))
        #expect(Set(try outbox.folder.entries()) == Set(written))
    }

    @Test func unrecordedCopyIsRemovedWithItsTemporary() throws {
        let root = try Fixtures.makeTemporaryDirectory("outbox")
        defer { try? FileManager.default.removeItem(at: root) }
        let outbox = Outbox(folder: try Directory(path: root.path))
        try Data([9]).write(to: root.appendingPathComponent("keep.png"))
        let temporary = Outbox.temporaryName(claimID: "crashed-1")
        _ = try outbox.write([1, 2, 3], as: FileName("x.png"), temporary: temporary)
        try outbox.removeUnrecorded(temporary: temporary)
        #expect(try outbox.folder.entries() == [FileName("keep.png")])
    }
}

@Suite struct InboxMonitorTests {
    @Test func inotifyReportsNamesOfNewFilesAndWakeEndsAWait() throws {
        let root = try Fixtures.makeTemporaryDirectory("monitor")
        defer { try? FileManager.default.removeItem(at: root) }
        let monitor = try InboxMonitor(inbox: root.path, pollSeconds: 0)
        #expect(monitor.mode == .inotify)
        try Data("x".utf8).write(to: root.appendingPathComponent("new.png"))
        #expect(rename(root.appendingPathComponent("new.png").path, root.appendingPathComponent("moved.png").path) == 0)
        let wakeup = try monitor.wait(timeout: 5)
        #expect(wakeup.names.contains(FileName("new.png")))
        #expect(wakeup.names.contains(FileName("moved.png")))
        monitor.wake()
        let woken = try monitor.wait(timeout: 60)   // returns at once: the wake is pending
        #expect(woken.names.isEmpty && !woken.overflowed)
    }

    @Test func pollModeWhenConfiguredOrWhenInotifyCannotBeSetUp() throws {
        let root = try Fixtures.makeTemporaryDirectory("monitor")
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(try InboxMonitor(inbox: root.path, pollSeconds: 3).mode == .poll(seconds: 3, reason: "configured"))
        let fallback = try InboxMonitor(inbox: root.appendingPathComponent("absent").path, pollSeconds: 0)
        guard case .poll(_, let reason) = fallback.mode else { Issue.record("expected the polling fallback"); return }
        #expect(reason.contains("inotify unavailable"))
    }
}
