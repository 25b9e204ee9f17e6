import Glibc

/// A failed system call: which operation, on which path, and the errno text.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let code: Int32

    /// With no `code`, the current `errno`, read before `operation` and `path` are built (building
    /// strings allocates, and allocation may change `errno`).
    public init(_ operation: @autoclosure () -> String, _ path: @autoclosure () -> String, code: Int32? = nil) {
        let code = code ?? errno
        self.operation = operation()
        self.path = path()
        self.code = code
    }

    public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}
