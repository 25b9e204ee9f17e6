import CSVFormat
import Foundation
import Glibc
import Imaging
import Logging
import Screening
import Testing
import TestSupport
@testable import Watcher

/// Crash recovery and failing system calls, driven through the file layer's one seam (`SystemCalls`): the
/// real claim -> outbox -> journal -> ledger -> archive sequence runs on real files with a `FaultInjector`
/// that crashes it at step k (every later call fails and changes nothing, as after `kill -9`) or fails one
/// call with an errno. A new instance then adopts and recovers. Every step of the sequence is tried.
@Suite struct RecoveryTests {
    /// A spool on real files; each "instance" opens its own folders and ledger through its own `SystemCalls`.
    struct Spool {
        let root: URL
        var ledgerPath: String { root.appendingPathComponent("ledger.csv").path }

        init() throws {
            root = try Fixtures.makeTemporaryDirectory("recovery")
            for folder in ["inbox/.work", "outbox", "archive", "rejected"] {
                try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
            let image = RGBImage(width: 40, height: 40, pixels: (0..<(40 * 40 * 3)).map { UInt8(truncatingIfNeeded: $0 * 7) })
            try Data(PNGEncoder.encode(image)).write(to: root.appendingPathComponent("inbox/a.png"))
        }

        /// One running instance: its folders, ledger and claim folder, all through `syscalls`.
        struct Instance {
            let inbox: Directory, work: Directory
            let processor: Processor
        }

        func instance(_ syscalls: SystemCalls = .live) throws -> Instance {
            func open(_ folder: String) throws -> Directory { try Directory(path: root.appendingPathComponent(folder).path, syscalls: syscalls) }
            let inbox = try open("inbox")
            let processor = Processor(
                inbox: inbox, archive: try open("archive"), rejected: try open("rejected"), outbox: Outbox(folder: try open("outbox")),
                ledger: try Ledger(path: ledgerPath, syscalls: syscalls), limits: .init(), after: .archive, policy: "both",
                modelsColumn: "m@1", logger: Logger(label: "recovery-test"))
            return Instance(inbox: inbox, work: try open("inbox/.work"), processor: processor)
        }

        func entries(_ folder: String) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path).sorted()
        }

        func rows() throws -> [LedgerRow] {
            guard let data = FileManager.default.contents(atPath: ledgerPath) else { return [] }
            return CSV.parse(Array(data)).records.dropFirst().compactMap { LedgerRow(fields: $0) }
        }
    }

    static let verdict = Verdict(result: .negative, prob: 80, scores: [ModelScore(model: "m", probability: 0.2)])

    /// What a running watcher does with the inbox: claim, read, decode, finish (throws where a call fails).
    static func screenInbox(_ instance: Spool.Instance, own: ClaimFolder) throws {
        for name in try instance.inbox.entries() where name.bytes.first != UInt8(ascii: ".") {
            guard try instance.inbox.status(of: name)?.kind != .directory else { continue }   // as the watcher: folders stay
            guard let claim = try own.claim(name, from: instance.inbox) else { continue }
            let prepared = instance.processor.prepare(WorkItem(claim: claim, claimedAt: 0))
            try instance.processor.finish(prepared, verdict: prepared.image == nil ? nil : verdict)
        }
    }

    /// A clean start after a crash or a failure: adopt the orphaned claim folders, recover, finish what was
    /// requeued, then take what is in the inbox.
    static func restart(_ spool: Spool) throws {
        let instance = try spool.instance()
        for folder in try ClaimFolder.adoptOrphans(in: instance.work) {
            for item in try instance.processor.recover(folder) {
                let prepared = instance.processor.prepare(item)
                try instance.processor.finish(prepared, verdict: prepared.image == nil ? nil : verdict)
            }
            #expect(try folder.removeIfEmpty(from: instance.work))
        }
        let own = try ClaimFolder.create(in: instance.work)
        try screenInbox(instance, own: own)
        #expect(try own.removeIfEmpty(from: instance.work))
    }

    /// The end state every run must reach: one `ok` row, one whole outbox PNG named by it, the input archived,
    /// no temporaries or claims left.
    static func expectExactlyOnce(_ spool: Spool, _ context: String) throws {
        let rows = try spool.rows()
        #expect(rows.map(\.inputFile) == ["a.png"], "\(context)")
        #expect(rows.first?.status == .ok, "\(context)")
        let outbox = try spool.entries("outbox")
        #expect(outbox == ["NEGATIVE_Prob_80_Name_a.png.png"], "\(context)")
        #expect(rows.first?.outputFile == outbox.first, "\(context)")
        if let name = outbox.first {
            let image = try ImageDecoder.decode(contentsOf: spool.root.appendingPathComponent("outbox/" + name).path)
            #expect(image.width == 40, "\(context): the outbox copy is whole")
        }
        #expect(try spool.entries("archive") == ["a.png"], "\(context)")
        #expect(try spool.entries("inbox") == [".work"], "\(context)")
        let work = try spool.entries("inbox/.work")
        #expect(work.isEmpty, "\(context): \(work) left in the work folder")
    }

    @Test func withoutFaultsTheSequenceEndsInExactlyOneRow() throws {
        let spool = try Spool()
        defer { try? FileManager.default.removeItem(at: spool.root) }
        let faults = FaultInjector([])
        do {
            let instance = try spool.instance(SystemCalls(faults: faults))
            let own = try ClaimFolder.create(in: instance.work)
            try Self.screenInbox(instance, own: own)
            #expect(try own.removeIfEmpty(from: instance.work))
        }
        try Self.expectExactlyOnce(spool, "no faults")
        // The sequence the other tests crash at every step of.
        for call: SystemCalls.Call in [.rename, .link, .write, .fsync, .unlink] { #expect(faults.calls.contains(call), "\(call)") }
    }

    /// kill -9 at every system call from start-up to the input's archiving, then a clean restart.
    @Test func aCrashAtEveryStepIsRecoveredWithExactlyOneRowAndNoStrayFiles() throws {
        var step = 1
        while true {
            let spool = try Spool()
            defer { try? FileManager.default.removeItem(at: spool.root) }
            let faults = FaultInjector([.init(occurrence: step, effect: .crash)])
            do {
                let instance = try spool.instance(SystemCalls(faults: faults))
                let own = try ClaimFolder.create(in: instance.work)
                try Self.screenInbox(instance, own: own)
            } catch {
                #expect(faults.crashed, "step \(step): only the injected crash may fail (\(error))")
            }   // the crashed instance's descriptors close here, releasing its locks as the kernel would
            guard faults.crashed else { break }   // the whole sequence ran in fewer than `step` calls
            try Self.restart(spool)
            try Self.expectExactlyOnce(spool, "crash at call \(step) (\(faults.calls.last.map { "\($0)" } ?? "?"))")
            step += 1
        }
        #expect(step > 30, "the sequence makes more calls than this; the loop stopped early")
    }

    /// EINTR on the first attempt of every call: each is retried and the run is as without faults.
    @Test func anInterruptOnEveryCallIsRetriedEverywhere() throws {
        let spool = try Spool()
        defer { try? FileManager.default.removeItem(at: spool.root) }
        let faults = FaultInjector([.init(occurrence: 1, effect: .fail(EINTR), repeats: true)])
        do {
            let instance = try spool.instance(SystemCalls(faults: faults))
            let own = try ClaimFolder.create(in: instance.work)
            try Self.screenInbox(instance, own: own)
            #expect(try own.removeIfEmpty(from: instance.work))
        }
        try Self.expectExactlyOnce(spool, "EINTR everywhere")
    }

    /// A full disk or an I/O error at each write-side call: the error names the operation, nothing is
    /// half-written, the input stays claimed, and the next start finishes it with one row.
    @Test(arguments: [(SystemCalls.Call.write, ENOSPC), (.fsync, EIO), (.link, ENOSPC), (.rename, EIO), (.unlink, EIO)])
    func aFailingCallStopsCleanlyAndTheNextStartFinishes(call: SystemCalls.Call, code: Int32) throws {
        var occurrence = 1
        while true {
            let spool = try Spool()
            defer { try? FileManager.default.removeItem(at: spool.root) }
            let faults = FaultInjector([.init(call, occurrence: occurrence, effect: .fail(code))])
            var failure: (any Error)?
            do {
                let instance = try spool.instance(SystemCalls(faults: faults))
                let own = try ClaimFolder.create(in: instance.work)
                try Self.screenInbox(instance, own: own)
            } catch { failure = error }
            let fired = faults.calls.filter { $0 == call }.count >= occurrence
            guard fired else { break }
            let context = "\(call) #\(occurrence) failing with \(String(cString: strerror(code)))"
            if let failure { #expect("\(failure)".contains(String(cString: strerror(code))), "\(context): \(failure)") }
            // Nothing half-written under a final name (hidden temporaries are the recovery's to clear).
            for name in try spool.entries("outbox") where !name.hasPrefix(".") {
                #expect(throws: Never.self, "\(context): \(name)") {
                    try ImageDecoder.decode(contentsOf: spool.root.appendingPathComponent("outbox/" + name).path)
                }
            }
            try Self.restart(spool)
            try Self.expectExactlyOnce(spool, context)
            occurrence += 1
        }
        #expect(occurrence > 1, "\(call) is never called")
    }

    /// A file claimed from a sub-folder (`recursive`) keeps its relative path through a crash: the restart
    /// records it as `ward/a.png`, archives it, and leaves no empty item folders behind.
    @Test func aNestedClaimKeepsItsRelativePathThroughACrash() throws {
        let spool = try Spool()
        defer { try? FileManager.default.removeItem(at: spool.root) }
        try FileManager.default.createDirectory(at: spool.root.appendingPathComponent("inbox/ward"), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: spool.root.appendingPathComponent("inbox/a.png"), to: spool.root.appendingPathComponent("inbox/ward/a.png"))
        do {
            let crashed = try spool.instance()
            let own = try ClaimFolder.create(in: crashed.work)
            #expect(try own.claim(FileName("ward/a.png"), from: crashed.inbox) != nil)
        }   // killed right after the claim
        try Self.restart(spool)
        let rows = try spool.rows()
        #expect(rows.map(\.inputFile) == ["ward/a.png"] && rows.first?.status == .ok, "\(rows)")
        #expect(try spool.entries("archive") == ["a.png"])
        #expect(try spool.entries("inbox/.work").isEmpty)
    }

    /// Content seen before, journaled, then the ledger rotated away before the restart: the earlier row is
    /// gone, so the input is screened again (one ok row) instead of recovery failing on every rescan.
    @Test func aSeenBeforeJournalWhoseEarlierRowWasRotatedAwayIsScreenedAgain() throws {
        let spool = try Spool()
        defer { try? FileManager.default.removeItem(at: spool.root) }
        try Self.restart(spool)                                   // a.png screened: an ok row
        let bytes = try Data(contentsOf: spool.root.appendingPathComponent("archive/a.png"))
        try bytes.write(to: spool.root.appendingPathComponent("inbox/again.png"))
        do {
            let faults = FaultInjector([.init(.write, occurrence: 2, effect: .crash)])   // the journal written, the ledger row not
            let crashed = try spool.instance(SystemCalls(faults: faults))
            let own = try ClaimFolder.create(in: crashed.work)
            #expect(throws: (any Error).self) { try Self.screenInbox(crashed, own: own) }
        }
        try FileManager.default.moveItem(atPath: spool.ledgerPath, toPath: spool.ledgerPath + ".1")   // logrotate
        try Self.restart(spool)
        let rows = try spool.rows()
        #expect(rows.map(\.inputFile) == ["again.png"] && rows.first?.status == .ok, "\(rows)")
        #expect(try spool.entries("inbox/.work").isEmpty)
    }
}
