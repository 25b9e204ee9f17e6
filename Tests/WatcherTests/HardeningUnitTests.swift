import Foundation
import Glibc
import Logging
import Testing
import TestSupport
@testable import Watcher

@Suite struct EscapedFileNameTests {
    @Test func invalidBytesAndPercentAreEscapedValidUTF8IsKept() {
        #expect(FileName(bytes: Array("invalid-".utf8) + [0xFF, 0xFE] + Array("-utf8.jpeg".utf8)).escaped == "invalid-%FF%FE-utf8.jpeg")
        #expect(FileName("100%.png").escaped == "100%25.png")
        #expect(FileName("ünïcödé 画像.png").escaped == "ünïcödé 画像.png")
        // A truncated sequence, an overlong form and an encoded surrogate are all invalid byte by byte.
        #expect(FileName(bytes: [0x61, 0xE2, 0x82]).escaped == "a%E2%82")
        #expect(FileName(bytes: [0xC0, 0xAF]).escaped == "%C0%AF")
        #expect(FileName(bytes: [0xED, 0xA0, 0x80]).escaped == "%ED%A0%80")
    }

    @Test func outboxNameIsTheEscapedFormAndNamesARealFileInUTF8() {
        let name = Outbox.outputName(result: .negative, prob: 80, original: FileName(bytes: [0x78, 0xFF, 0x2E, 0x70, 0x6E, 0x67]))
        #expect(name.description == "NEGATIVE_Prob_80_Name_x%FF.png.png")
        #expect(name.bytes == Array(name.description.utf8))
    }

    @Test func longNameIsNeverCutInsideAnEscape() {
        let original = FileName(bytes: [UInt8](repeating: 0xFF, count: 200))
        let name = Outbox.outputName(result: .positive, prob: 99, original: original).description
        let middle = name.dropFirst("POSITIVE_Prob_99_Name_".count).dropLast(".png".count)
        #expect(middle.count % 3 == 0 && middle.hasSuffix("%FF"), "\(middle)")
    }
}

/// The text log line format (end to end: `ReliabilityTests.FileNames.newlineInAFileNameCannotForgeALogLine`
/// and `ReliabilityTests.InboxReplacement.inboxDeletedForGoodStopsWithAnErrorForSystemdToRestart`).
@Suite struct StderrLogHandlerTests {
    @Test func everyLevelIsPrintedWholeInOneColumnWidth() {
        let lines = Logger.Level.allCases.map { StderrLogHandler.textLine(time: "T", level: $0, message: "m") }
        #expect(lines.contains("T critical m\n"))
        #expect(lines.contains("T info     m\n"))
        #expect(Set(lines.map(\.count)).count == 1, "\(lines)")
    }

    @Test func jsonLinesKeepNumbersAsNumbers() throws {
        let line = StderrLogHandler.jsonLine(time: "T", level: .info, message: "ok a.png", metadata: [
            "prob": .stringConvertible(96), "covid_normal": .stringConvertible(0.97), "input": "a.png", "elapsed_ms": .stringConvertible(120),
        ])
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["prob"] as? Int == 96)
        #expect(object["covid_normal"] as? Double == 0.97)
        #expect(object["input"] as? String == "a.png")
        #expect(line.contains("\"prob\":96") && line.contains("\"elapsed_ms\":120"), "\(line)")
    }

    @Test func controlCharactersInAMessageCannotStartALine() {
        let line = StderrLogHandler.textLine(time: "T", level: .warning,
                                             message: "rejected evil\n2026-01-01T00:00:00Z error forged\r\u{1B}[31m\u{85}\u{2028}x\\y")
        #expect(line.filter { $0 == "\n" }.count == 1 && line.hasSuffix("\n"), "\(line)")
        #expect(line == #"T warning  rejected evil\n2026-01-01T00:00:00Z error forged\r\u{1B}[31m\u{85}\u{2028}x\\y"# + "\n", "\(line)")
    }
}

@Suite struct SystemErrorTests {
    @Test func errnoIsReadBeforeTheMessageIsBuilt() {
        errno = ENOENT
        let error = SystemError("open", { () -> String in errno = EPERM; return "/some/path" }())
        #expect(error.code == ENOENT)
        #expect(error.path == "/some/path")
    }
}

@Suite struct CancellationTests {
    /// Runs `operation` in a task, cancels it after a moment, and says whether it finished within 10 s.
    static func finishesWhenCancelled(_ operation: @escaping @Sendable () async -> Void) async -> Bool {
        let task = Task { await operation() }
        try? await Task.sleep(for: .milliseconds(100))
        task.cancel()
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await task.value; return true }
            group.addTask { try? await Task.sleep(for: .seconds(10)); return false }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
    }

    @Test func cancellingATaskWaitingInWorkQueueNextEndsIt() async {
        let queue = WorkQueue<Int>()
        let finished = await Self.finishesWhenCancelled { _ = await queue.next(upTo: 4) }
        #expect(finished)
        // The queue still works for others afterwards.
        queue.push(7)
        #expect(await queue.next(upTo: 4) == [7])
    }

    @Test func cancellingAnOffloadedMonitorWaitWakesIt() async throws {
        let root = try Fixtures.makeTemporaryDirectory("monitor")
        defer { try? FileManager.default.removeItem(at: root) }
        let monitor = try InboxMonitor(inbox: root.path, pollSeconds: 0)
        let finished = await Self.finishesWhenCancelled {
            _ = await offload({ try? monitor.wait(timeout: 600) }, onCancel: { monitor.wake() })
        }
        #expect(finished)
    }
}

@Suite struct InboxMonitorRewatchTests {
    @Test func deletedInboxIsReportedAndANewOneCanBeWatched() throws {
        let root = try Fixtures.makeTemporaryDirectory("monitor")
        defer { try? FileManager.default.removeItem(at: root) }
        let inbox = root.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: false)
        let monitor = try InboxMonitor(inbox: inbox.path, pollSeconds: 0)
        try FileManager.default.removeItem(at: inbox)
        #expect(try monitor.wait(timeout: 5).inboxGone)
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: false)
        try monitor.rewatch(inbox.path)
        try Data("x".utf8).write(to: inbox.appendingPathComponent("new.png"))
        let wakeup = try monitor.wait(timeout: 5)
        #expect(wakeup.names.contains(FileName("new.png")))
    }
}

extension InboxMonitorRewatchTests {
    @Test func inboxDeletedAndRecreatedWhileHeldOpenIsReported() throws {
        let root = try Fixtures.makeTemporaryDirectory("monitor")
        defer { try? FileManager.default.removeItem(at: root) }
        let inbox = root.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: false)
        let held = try Directory(path: inbox.path)   // as the watcher holds it: no IN_DELETE_SELF while open
        let monitor = try InboxMonitor(inbox: inbox.path, pollSeconds: 0)
        try FileManager.default.removeItem(at: inbox)
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: false)
        #expect(try monitor.wait(timeout: 5).inboxGone)
        _ = held
    }
}

@Suite struct IncompleteGraceConfigurationTests {
    @Test func incompleteGraceSecondsDefaultsTo30AndIsChecked() throws {
        let sandbox = try ConfigurationSandbox()
        defer { sandbox.remove() }
        #expect(try sandbox.load().incompleteGraceSeconds == 30)
        #expect(try sandbox.load(["incomplete_grace_seconds": "0"]).incompleteGraceSeconds == 0)
        #expect(sandbox.error(["incomplete_grace_seconds": "-1"])?.key == "incomplete_grace_seconds")
    }
}

/// A signal arriving while the monitor waits (poll fails with EINTR) resumes the wait instead of ending it.
@Suite struct InboxMonitorInterruptTests {
    final class Box: @unchecked Sendable {
        let lock = NSLock()
        var thread: pthread_t?
        var elapsed: Double?
    }

    @Test func interruptedWaitIsResumed() async throws {
        let root = try Fixtures.makeTemporaryDirectory("monitor")
        defer { try? FileManager.default.removeItem(at: root) }
        let monitor = try InboxMonitor(inbox: root.path, pollSeconds: 0)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }   // no SA_RESTART: poll returns EINTR
        sigemptyset(&action.sa_mask)
        sigaction(SIGUSR1, &action, nil)
        let box = Box()
        let started = DispatchSemaphore(value: 0)
        let signalled = DispatchSemaphore(value: 0)
        let waiter = Thread {
            box.lock.withLock { box.thread = pthread_self() }
            started.signal()
            let start = Date()
            _ = try? monitor.wait(timeout: 1.5)
            box.lock.withLock { box.elapsed = Date().timeIntervalSince(start) }
            signalled.wait()   // stay alive until signalled: pthread_kill on an ended thread is undefined
        }
        waiter.start()
        started.wait()
        try await Task.sleep(for: .milliseconds(300))
        let thread = try #require(box.lock.withLock { box.thread })
        #expect(pthread_kill(thread, SIGUSR1) == 0)
        signalled.signal()
        while box.lock.withLock({ box.elapsed }) == nil { try await Task.sleep(for: .milliseconds(50)) }
        let elapsed = try #require(box.lock.withLock { box.elapsed })
        #expect(elapsed >= 1.4, "the wait ended after \(elapsed) s, at the signal")
    }
}

extension InboxMonitorRewatchTests {
    @Test func otherEntriesOfTheParentDoNotEndAWait() throws {
        let root = try Fixtures.makeTemporaryDirectory("monitor")
        defer { try? FileManager.default.removeItem(at: root) }
        let inbox = root.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: false)
        let monitor = try InboxMonitor(inbox: inbox.path, pollSeconds: 0)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("outbox"), withIntermediateDirectories: false)
        try Data("x".utf8).write(to: root.appendingPathComponent("ledger.csv"))
        let start = Date()
        let wakeup = try monitor.wait(timeout: 0.5)
        #expect(Date().timeIntervalSince(start) >= 0.45)
        #expect(wakeup.names.isEmpty && !wakeup.inboxGone)
    }
}
