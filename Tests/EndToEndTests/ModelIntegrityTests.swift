import Foundation
import Testing
import TestSupport
import Watcher

extension ReliabilityTests {
    /// Weights that are not the ones the models were trained on are refused before they are parsed.
    @Suite struct ModelIntegrity {
        @Test func foreignBackboneIsRefusedByItsHashBeforeItIsParsed() async throws {
            let spool = try WatchSpool()
            // A crafted file: a header whose tensor claims bytes far outside the file.
            let crafted = spool.root.appendingPathComponent("crafted.safetensors")
            let header = Array(#"{"block1_conv1/kernel":{"dtype":"F32","shape":[4],"data_offsets":[-4096,16]}}"#.utf8)
            var length = UInt64(header.count).littleEndian
            let bytes = withUnsafeBytes(of: &length) { Array($0) } + header + [UInt8](repeating: 0, count: 16)
            try Data(bytes).write(to: crafted)
            let config = try String(contentsOfFile: spool.configPath, encoding: .utf8)
            let withCrafted = try #require(try NSRegularExpression(pattern: #""backbone": "[^"]*""#)
                .stringByReplacingMatches(in: config, range: NSRange(config.startIndex..., in: config),
                                          withTemplate: "\"backbone\": \"\(crafted.path)\"") as String?)
            try Data(withCrafted.utf8).write(to: URL(fileURLWithPath: spool.configPath))
            #expect(try await spool.runOnce() != 0)
            let log = spool.log("once.log")
            #expect(log.contains("was trained on backbone"), "the crafted file was parsed before its hash was compared: \(log)")
        }
    }
}
