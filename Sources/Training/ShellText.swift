/// Command lines as text, for provenance in manifests and reports.
public enum ShellText {
    /// An argument quoted for a POSIX shell when it needs to be.
    public static func quote(_ argument: String) -> String {
        let safe = argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./=,:+@%".contains($0) }
        return safe && !argument.isEmpty ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
