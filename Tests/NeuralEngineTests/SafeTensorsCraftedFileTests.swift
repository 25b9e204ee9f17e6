import Foundation
import NeuralEngine
import Testing
import TestSupport

/// Crafted safetensors headers that would make reads leave the mapping are refused with a typed error.
struct SafeTensorsCraftedFileTests {
    /// Writes an 8-byte length, `header` and `dataBytes` zero bytes; returns the path.
    static func craft(_ header: String, dataBytes: Int, in folder: URL) throws -> String {
        let json = Array(header.utf8)
        var length = UInt64(json.count).littleEndian
        let bytes = withUnsafeBytes(of: &length) { Array($0) } + json + [UInt8](repeating: 0, count: dataBytes)
        let path = folder.appendingPathComponent("crafted-\(UUID().uuidString.prefix(6)).safetensors").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func tensor(_ dtype: String, _ shape: [Int], _ offsets: [Int]) -> String {
        #"{"t":{"dtype":"\#(dtype)","shape":\#(shape),"data_offsets":\#(offsets)}}"#
    }

    /// Opening (and reading `t`, should the open succeed) must fail with `problem`.
    static func expectRefused(_ header: String, dataBytes: Int, problem: SafeTensorsError.Problem) throws {
        let folder = try Fixtures.makeTemporaryDirectory("safetensors")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try craft(header, dataBytes: dataBytes, in: folder)
        let error = #expect(throws: SafeTensorsError.self) { _ = try SafeTensorsFile(contentsOf: path).tensor("t") }
        #expect(error?.problem == problem, "\(String(describing: error))")
        #expect(error?.file == path)
    }

    @Test func negativeBeginOffsetIsRefused() throws {
        // Before the check: 16 bytes read from inside the header (or before the mapping).
        try Self.expectRefused(Self.tensor("F32", [4], [-16, 0]), dataBytes: 16, problem: .invalidOffsets(tensor: "t"))
    }

    @Test func reversedOffsetsAreRefused() throws {
        try Self.expectRefused(Self.tensor("F32", [0], [16, 8]), dataBytes: 16, problem: .invalidOffsets(tensor: "t"))
    }

    @Test func offsetsBeyondTheFileAreRefused() throws {
        try Self.expectRefused(Self.tensor("F32", [4], [16, 32]), dataBytes: 16, problem: .outsideData(tensor: "t"))
    }

    @Test func offsetsNearIntMaxDoNotOverflow() throws {
        try Self.expectRefused(Self.tensor("F32", [2], [Int.max - 8, Int.max]), dataBytes: 16, problem: .outsideData(tensor: "t"))
    }

    @Test func byteCountNotMatchingDtypeAndShapeIsRefused() throws {
        // 16 bytes for F32 [8] (32 bytes) and for an F16 [4] (8 bytes): before, F16 sizes went unchecked.
        try Self.expectRefused(Self.tensor("F32", [8], [0, 16]), dataBytes: 16, problem: .sizeMismatch(tensor: "t"))
        try Self.expectRefused(Self.tensor("F16", [4], [0, 16]), dataBytes: 16, problem: .sizeMismatch(tensor: "t"))
    }

    @Test func shapeWhoseProductOverflowsIsRefused() throws {
        try Self.expectRefused(Self.tensor("F32", [1 << 40, 1 << 40], [0, 16]), dataBytes: 16, problem: .invalidShape(tensor: "t"))
        try Self.expectRefused(Self.tensor("F32", [-2, -2], [0, 16]), dataBytes: 16, problem: .invalidShape(tensor: "t"))
    }

    @Test func unknownDtypeIsRefused() throws {
        try Self.expectRefused(Self.tensor("Q4", [4], [0, 16]), dataBytes: 16, problem: .unknownDtype(tensor: "t", dtype: "Q4"))
    }

    @Test func headerLengthBeyondIntIsRefusedWithoutATrap() throws {
        let folder = try Fixtures.makeTemporaryDirectory("safetensors")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("huge-header.safetensors").path
        try Data([UInt8](repeating: 0xFF, count: 8) + Array("{}".utf8)).write(to: URL(fileURLWithPath: path))
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(contentsOf: path) }
    }

    @Test func wellFormedCraftedFileStillReads() throws {
        let folder = try Fixtures.makeTemporaryDirectory("safetensors")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try Self.craft(Self.tensor("F32", [2, 2], [0, 16]), dataBytes: 16, in: folder)
        #expect(try SafeTensorsFile(contentsOf: path).tensor("t") == Tensor(zeros: [2, 2]))
    }
}
