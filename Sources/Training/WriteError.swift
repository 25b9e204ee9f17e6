import Foundation

/// An output that cannot be written: its real path, the step that failed and the underlying error.
public struct WriteError: Error, CustomStringConvertible {
    public enum Step: String, Sendable {
        case createFolder = "cannot create the folder"
        case encode = "cannot be encoded"
        case write = "cannot be written"
        case readBack = "cannot be read back after writing"
    }

    public let path: String
    public let step: Step
    public let cause: any Error

    public init(path: String, step: Step, cause: any Error) {
        self.path = path; self.step = step; self.cause = cause
    }

    /// The operating system's error number, when the underlying error carries one.
    public var errno: Int32? {
        var error: (any Error)? = cause
        while let current = error {
            if let posix = current as? POSIXError { return posix.code.rawValue }
            let bridged = current as NSError
            if bridged.domain == NSPOSIXErrorDomain { return Int32(bridged.code) }
            error = bridged.userInfo[NSUnderlyingErrorKey] as? any Error
        }
        return nil
    }

    public var description: String { "\(path): \(step.rawValue) (\(Self.text(of: cause)))" }

    private static func text(of error: any Error) -> String {
        error is CocoaError || type(of: error) is NSError.Type ? error.localizedDescription : String(describing: error)
    }
}
