import Foundation

extension SafeTensorsFile {
    /// Writes F32 tensors (in the given order) with string metadata, atomically: a temporary file in the same
    /// folder, fsynced, then renamed over `path`.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:],
                             to path: String) throws(SafeTensorsError) {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, tensor) in tensors {
            let bytes = tensor.count * 4
            header[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        var headerBytes: Data
        do { headerBytes = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]) } catch {
            throw SafeTensorsError(file: path, reason: "header cannot be encoded (\(error))")
        }
        // Pad the header with spaces so the data starts 8-byte aligned, as the format recommends.
        while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(0x20) }
        var file = Data()
        file.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(headerBytes)
        for (_, tensor) in tensors {
            tensor.values.withUnsafeBytes { file.append(contentsOf: $0) }
        }
        let url = URL(fileURLWithPath: path)
        do { try file.write(to: url, options: [.atomic]) } catch {
            throw SafeTensorsError(file: path, reason: "cannot be written (\(error.localizedDescription))")
        }
    }
}
