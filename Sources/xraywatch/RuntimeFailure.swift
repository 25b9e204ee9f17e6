import ArgumentParser
import Training

/// A failure while running a command (a file that cannot be read, a full disk, a bad dataset), as opposed to a
/// usage error: printed as `Error: <description>` with exit status 1, never with the usage text (exit 64 is
/// for `ValidationError`, what the user typed). Settings out of range and a model in the way are worded with option names.
struct RuntimeFailure: Error, CustomStringConvertible {
    let description: String
    init(_ error: any Error) {
        description = switch error {
        case let setting as SettingError: setting.userText
        case let existing as ExistingModelError: existing.userText
        default: "\(error)"
        }
    }
}
