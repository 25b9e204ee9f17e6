/// A problem with training or evaluation input, found before any work starts; names the file or
/// folder and says what to change.
public struct DatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let reason: String
    public init(file: String, reason: String) { self.file = file; self.reason = reason }
    public var description: String { "\(file): \(reason)" }
}
