#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole file with POSIX calls so failures carry the system's own errno text.
enum FileReader {
    /// The file's bytes; refuses directories and files over `maxBytes` before reading them.
    static func read(_ path: String, name: String, maxBytes: Int) throws(ImageDecodeError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 { throw unreadable(name) }
        defer { close(descriptor) }
        var info = stat()
        if fstat(descriptor, &info) != 0 { throw unreadable(name) }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw ImageDecodeError(file: name, reason: .unreadable("is a directory"))
        }
        let size = Int(info.st_size)
        if size > maxBytes {
            throw ImageDecodeError(file: name, reason: .fileTooLarge(bytes: size, maxBytes: maxBytes))
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let count = bytes.withUnsafeMutableBytes { buffer in
                readSome(descriptor, buffer.baseAddress! + filled, size - filled)
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw unreadable(name) }
            if count == 0 { break }  // the file shrank while we read it: decode what is there
            filled += count
        }
        return Array(bytes.prefix(filled))
    }

    private static func readSome(_ descriptor: Int32, _ target: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.read(descriptor, target, count)
        #else
        Darwin.read(descriptor, target, count)
        #endif
    }

    private static func unreadable(_ name: String) -> ImageDecodeError {
        ImageDecodeError(file: name, reason: .unreadable(String(cString: strerror(errno))))
    }
}
