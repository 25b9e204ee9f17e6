/// The program's version: printed by `xraywatch --version`, written into ledger rows and reports so a figure
/// can be traced to the code that produced it. Raised with every release that changes behaviour.
public enum ProgramVersion {
    public static let text = "0.9.0"
}
