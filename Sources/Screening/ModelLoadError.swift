/// A model that cannot be used: names the file and says what to do about it.
public struct ModelLoadError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let reason: String
    public init(file: String, reason: String) { self.file = file; self.reason = reason }
    public var description: String { "model file \(file): \(reason)" }
}
