#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads whole regular files with POSIX calls, so failures carry the system's own errno. Opens never block on
/// a FIFO (O_NONBLOCK), and anything but a regular file (a FIFO, a device, a folder) is refused before reading.
/// The watcher opens inbox entries itself (relative to the folder, O_NOFOLLOW) and reads them with
/// `readRegularFile(descriptor:)`; the image decoder reads files users name, whose symbolic links it follows.
public enum FileReader {
    /// Why a file could not be read.
    public enum Failure: Error, Sendable, Equatable {
        /// A system call failed: `open`, `examine` (fstat) or `read`, with its errno.
        case system(operation: String, code: Int32)
        case notRegular(isDirectory: Bool)
        case tooLarge(bytes: Int)
    }

    /// The two calls reading makes, replaceable so that a caller can route them through its own seam (the
    /// watcher's fault injection). Each returns -1 with `errno` set when it fails.
    public struct Calls {
        public var examine: (Int32, inout stat) -> Int32
        public var read: (Int32, UnsafeMutableRawPointer, Int) -> Int

        public init(examine: @escaping (Int32, inout stat) -> Int32, read: @escaping (Int32, UnsafeMutableRawPointer, Int) -> Int) {
            self.examine = examine; self.read = read
        }

        public static var live: Calls { Calls(examine: { fstat($0, &$1) }, read: { systemRead($0, $1, $2) }) }
    }

    /// Reads the file open at `descriptor` whole, refusing anything but a regular file and files over
    /// `maxBytes`. A file that shrinks meanwhile is read as far as it goes; one that grows is cut at the size seen.
    public static func readRegularFile(descriptor: Int32, maxBytes: Int, calls: Calls = .live) throws(Failure) -> [UInt8] {
        var info = stat()
        guard calls.examine(descriptor, &info) == 0 else { throw .system(operation: "examine", code: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notRegular(isDirectory: info.st_mode & S_IFMT == S_IFDIR) }
        let size = Int(info.st_size)
        guard size <= maxBytes else { throw .tooLarge(bytes: size) }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let count = bytes.withUnsafeMutableBytes { buffer in calls.read(descriptor, buffer.baseAddress! + filled, size - filled) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw .system(operation: "read", code: errno) }
            if count == 0 { break }
            filled += count
        }
        return filled == size ? bytes : Array(bytes.prefix(filled))
    }

    /// Opens `path` (following a symbolic link the user named, never blocking) and reads it whole.
    public static func readRegularFile(atPath path: String, maxBytes: Int) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw .system(operation: "open", code: errno) }
        defer { close(descriptor) }
        return try readRegularFile(descriptor: descriptor, maxBytes: maxBytes)
    }

    /// For the image decoder: `path` read whole, a failure worded as an `ImageDecodeError` naming `name`.
    static func read(_ path: String, name: String, maxBytes: Int) throws(ImageDecodeError) -> [UInt8] {
        do { return try readRegularFile(atPath: path, maxBytes: maxBytes) } catch {
            switch error {
            case .system(_, let code): throw ImageDecodeError(file: name, reason: .unreadable(String(cString: strerror(code))))
            case .notRegular(let isDirectory):
                throw ImageDecodeError(file: name, reason: .unreadable(isDirectory ? "is a directory" : "is not a regular file"))
            case .tooLarge(let bytes): throw ImageDecodeError(file: name, reason: .fileTooLarge(bytes: bytes, maxBytes: maxBytes))
            }
        }
    }

    private static func systemRead(_ descriptor: Int32, _ target: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.read(descriptor, target, count)
        #else
        Darwin.read(descriptor, target, count)
        #endif
    }
}
