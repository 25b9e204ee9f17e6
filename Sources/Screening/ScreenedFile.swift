import Imaging

/// One input of a screening run: its verdict, or why it could not be decoded.
public struct ScreenedFile: Sendable {
    public enum Outcome: Sendable {
        case verdict(Verdict)
        case undecodable(ImageDecodeError)
    }

    public let file: String
    public let outcome: Outcome

    public init(file: String, outcome: Outcome) {
        self.file = file
        self.outcome = outcome
    }
}
