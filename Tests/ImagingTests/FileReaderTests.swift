import Foundation
import Glibc
import Imaging
import Testing
import TestSupport

/// The one whole-file reader (the decoder's and the watcher's).
struct FileReaderTests {
    @Test func aFIFOIsRefusedWithoutBlocking() throws {
        let folder = try Fixtures.makeTemporaryDirectory("file-reader")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("pipe.png").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // Without O_NONBLOCK the open would wait for a writer forever.
        #expect(throws: FileReader.Failure.notRegular(isDirectory: false)) { try FileReader.readRegularFile(atPath: fifo, maxBytes: 1 << 20) }
        let decoded = #expect(throws: ImageDecodeError.self) { try ImageDecoder.decode(contentsOf: fifo) }
        #expect(decoded?.reason == .unreadable("is not a regular file"))
    }

    @Test func failuresOfTheInjectedCallsCarryTheirErrno() throws {
        let folder = try Fixtures.makeTemporaryDirectory("file-reader")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("a.bin")
        try Data([1, 2, 3, 4]).write(to: file)
        let descriptor = open(file.path, O_RDONLY)
        defer { close(descriptor) }
        var calls = FileReader.Calls.live
        calls.read = { _, _, _ in errno = EIO; return -1 }
        #expect(throws: FileReader.Failure.system(operation: "read", code: EIO)) {
            try FileReader.readRegularFile(descriptor: descriptor, maxBytes: 10, calls: calls)
        }
        #expect(try FileReader.readRegularFile(descriptor: descriptor, maxBytes: 10) == [1, 2, 3, 4])
        #expect(throws: FileReader.Failure.tooLarge(bytes: 4)) { try FileReader.readRegularFile(descriptor: descriptor, maxBytes: 3) }
    }
}
