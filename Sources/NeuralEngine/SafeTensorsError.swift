/// A safetensors file that cannot be read or written; names the file and what is wrong.
public struct SafeTensorsError: Error, Sendable, CustomStringConvertible {
    /// What kind of fault, for callers and tests that tell them apart (the reason says it for people).
    public enum Problem: Sendable, Equatable {
        /// A tensor's `data_offsets` are negative, reversed (begin > end) or not two whole numbers.
        case invalidOffsets(tensor: String)
        /// A tensor's bytes lie (partly) outside the data section, i.e. outside the file.
        case outsideData(tensor: String)
        /// A tensor's byte count is not its dtype's size times the product of its shape.
        case sizeMismatch(tensor: String)
        /// A tensor's shape has a negative dimension or a product too large to address.
        case invalidShape(tensor: String)
        /// A tensor's dtype is not a safetensors dtype.
        case unknownDtype(tensor: String, dtype: String)
        /// Anything else (unreadable, not safetensors, a missing tensor...).
        case other
    }

    public let file: String
    public let reason: String
    public let problem: Problem
    public init(file: String, reason: String, problem: Problem = .other) {
        self.file = file; self.reason = reason; self.problem = problem
    }
    public var description: String { "\(file): \(reason)" }
}
