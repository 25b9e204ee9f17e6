import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A read-only, memory-mapped safetensors file: an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the raw little-endian data.
///
/// Mapping keeps start-up fast and lets the kernel share the 58 MB backbone between processes.
public final class SafeTensorsFile: @unchecked Sendable {
    /// Where one tensor lives in the mapping.
    struct Entry {
        let dtype: String
        let shape: [Int]
        let start: Int
        let end: Int
    }

    public let path: String
    public let metadata: [String: String]
    private let entries: [String: Entry]
    private let base: UnsafeRawPointer
    private let length: Int

    /// Names of all tensors, sorted.
    public var names: [String] { entries.keys.sorted() }

    public init(contentsOf path: String) throws(SafeTensorsError) {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SafeTensorsError(file: path, reason: "cannot open (\(String(cString: strerror(errno))))") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw SafeTensorsError(file: path, reason: "not a regular file")
        }
        let size = Int(status.st_size)
        guard size >= 8 else { throw SafeTensorsError(file: path, reason: "too short (\(size) bytes) to be a safetensors file") }
        guard let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapping != MAP_FAILED else {
            throw SafeTensorsError(file: path, reason: "cannot be memory-mapped (\(String(cString: strerror(errno))))")
        }
        let base = UnsafeRawPointer(mapping)
        do {
            (entries, metadata) = try Self.parseHeader(base: base, size: size, path: path)
        } catch {
            munmap(mapping, size)
            throw error
        }
        self.base = base
        self.length = size
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), length) }

    public func contains(_ name: String) -> Bool { entries[name] != nil }

    /// Copies a tensor out as Float (U8 tensors are widened).
    public func tensor(_ name: String) throws(SafeTensorsError) -> Tensor {
        guard let entry = entries[name] else {
            throw SafeTensorsError(file: path, reason: "has no tensor \"\(name)\"")
        }
        let count = entry.shape.reduce(1, *)
        let bytes = UnsafeRawBufferPointer(start: base + entry.start, count: entry.end - entry.start)
        switch entry.dtype {
        case "F32":
            var values = [Float](repeating: 0, count: count)
            values.withUnsafeMutableBytes { $0.copyMemory(from: bytes) }
            return Tensor(shape: entry.shape, values: values)
        case "U8":
            return Tensor(shape: entry.shape, values: bytes.map { Float($0) })
        default:
            throw SafeTensorsError(file: path, reason: "tensor \"\(name)\" has dtype \(entry.dtype); only F32 and U8 are supported")
        }
    }

    private static func parseHeader(base: UnsafeRawPointer, size: Int, path: String) throws(SafeTensorsError) -> ([String: Entry], [String: String]) {
        let declaredLength = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        let headerLength = Int(exactly: declaredLength) ?? Int.max   // no trap on a crafted 2^64 - 1
        guard headerLength > 0, headerLength <= size - 8 else {
            throw SafeTensorsError(file: path, reason: "header length \(declaredLength) does not fit in a \(size)-byte file (truncated or not safetensors)")
        }
        let headerData = Data(bytes: base + 8, count: headerLength)
        guard let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            throw SafeTensorsError(file: path, reason: "header is not a JSON object (corrupt or not safetensors)")
        }
        let dataStart = 8 + headerLength
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = (value as? [String: String]) ?? [:]
                continue
            }
            guard let fields = value as? [String: Any],
                  let dtype = fields["dtype"] as? String,
                  let shape = fields["shape"] as? [Int],
                  let offsets = fields["data_offsets"] as? [Int], offsets.count == 2 else {
                throw SafeTensorsError(file: path, reason: "tensor \"\(name)\" has a malformed header entry")
            }
            let range = try checkedRange(name, dtype: dtype, shape: shape, offsets: offsets,
                                         dataLength: size - dataStart, path: path)
            entries[name] = Entry(dtype: dtype, shape: shape, start: dataStart + range.lowerBound, end: dataStart + range.upperBound)
        }
        return (entries, metadata)
    }
}
