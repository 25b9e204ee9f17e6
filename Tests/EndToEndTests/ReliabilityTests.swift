import Foundation
import Testing
import TestSupport
import Watcher

/// Operational faults (issue 11) against the built binary with real files, real inotify and real signals.
/// The nested suites (one file each) run one at a time, like `WatchTests`.
@Suite(.serialized, .enabled(if: WatchSpool.modelsPresent, WatchSpool.modelsMissing))
struct ReliabilityTests {}
