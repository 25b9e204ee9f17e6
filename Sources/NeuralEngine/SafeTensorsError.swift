/// A safetensors file that cannot be read or written; names the file and what is wrong.
public struct SafeTensorsError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let reason: String
    public init(file: String, reason: String) { self.file = file; self.reason = reason }
    public var description: String { "\(file): \(reason)" }
}
