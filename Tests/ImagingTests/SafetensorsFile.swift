import Foundation

/// A minimal, test-only safetensors reader (8-byte little-endian header length, JSON header, raw data)
/// for the golden reference file; supports the F32 and U8 tensors it holds.
struct SafetensorsFile {
    struct Entry: Decodable {
        let dtype: String
        let shape: [Int]
        let data_offsets: [Int]
    }

    struct FormatError: Error, CustomStringConvertible {
        let description: String
    }

    let entries: [String: Entry]
    let metadata: [String: String]
    private let data: Data
    private let dataStart: Int

    init(path: String) throws {
        data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard data.count >= 8 else { throw FormatError(description: "\(path): shorter than 8 bytes") }
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        dataStart = 8 + headerLength
        guard dataStart <= data.count else { throw FormatError(description: "\(path): header runs past the end") }
        let json = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<dataStart)) as? [String: Any] ?? [:]
        metadata = json["__metadata__"] as? [String: String] ?? [:]
        var entries: [String: Entry] = [:]
        for (name, value) in json where name != "__metadata__" {
            let encoded = try JSONSerialization.data(withJSONObject: value)
            entries[name] = try JSONDecoder().decode(Entry.self, from: encoded)
        }
        self.entries = entries
    }

    private func raw(_ name: String, dtype: String) throws -> Data {
        guard let entry = entries[name] else { throw FormatError(description: "no tensor \(name)") }
        guard entry.dtype == dtype else { throw FormatError(description: "\(name) is \(entry.dtype), not \(dtype)") }
        return data.subdata(in: (dataStart + entry.data_offsets[0])..<(dataStart + entry.data_offsets[1]))
    }

    func uint8(_ name: String) throws -> [UInt8] {
        [UInt8](try raw(name, dtype: "U8"))
    }

    func float32(_ name: String) throws -> [Float] {
        let bytes = try raw(name, dtype: "F32")
        return stride(from: 0, to: bytes.count, by: 4).map { offset in
            let bits = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[bytes.startIndex + offset + $1]) << (8 * UInt32($1)) }
            return Float(bitPattern: bits)
        }
    }
}
