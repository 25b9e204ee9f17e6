import Foundation
import NeuralEngine
import Testing
import TestSupport

struct SafeTensorsTests {
    @Test func writtenTensorsReadBack() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("t.safetensors").path
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, -6.5])
        let b = Tensor(shape: [1], values: [42])
        try SafeTensorsFile.write([("a", a), ("b", b)], metadata: ["note": "test"], to: path)
        let file = try SafeTensorsFile(contentsOf: path)
        #expect(file.names == ["a", "b"])
        #expect(file.metadata == ["note": "test"])
        #expect(try file.tensor("a") == a)
        #expect(try file.tensor("b") == b)
        #expect(throws: SafeTensorsError.self) { try file.tensor("missing") }
    }

    @Test func truncatedFileIsRefusedNamingIt() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("t.safetensors").path
        try SafeTensorsFile.write([("a", Tensor(zeros: [64]))], to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 10).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(contentsOf: path) }
        #expect(error?.file == path)
        #expect(error?.description.contains("truncated") == true)
    }

    @Test func garbageIsRefused() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("t.safetensors").path
        try Data("this is not a safetensors file at all".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(contentsOf: path) }
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(contentsOf: folder.appendingPathComponent("absent").path) }
    }
}
