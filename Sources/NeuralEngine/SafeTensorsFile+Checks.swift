extension SafeTensorsFile {
    /// Bytes per element of every safetensors dtype.
    static let elementSizes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
        "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8,
    ]

    /// A tensor's byte range within the data section, checked so that no header, crafted or corrupt, makes
    /// a read leave the mapping: offsets not negative, begin <= end, end inside the data section, and the
    /// byte count equal to the dtype's size times the shape's product (computed without overflow).
    static func checkedRange(_ name: String, dtype: String, shape: [Int], offsets: [Int], dataLength: Int,
                             path: String) throws(SafeTensorsError) -> Range<Int> {
        let begin = offsets[0], end = offsets[1]
        guard begin >= 0, end >= 0, begin <= end else {
            throw SafeTensorsError(file: path, reason: "tensor \"\(name)\" has data offsets \(offsets): they must be 0 or more, the first no greater than the second",
                                   problem: .invalidOffsets(tensor: name))
        }
        guard end <= dataLength else {
            throw SafeTensorsError(file: path, reason: "tensor \"\(name)\" data range \(offsets) ends beyond the \(dataLength)-byte data section (truncated?)",
                                   problem: .outsideData(tensor: name))
        }
        guard let elementSize = elementSizes[dtype] else {
            throw SafeTensorsError(file: path, reason: "tensor \"\(name)\" has unknown dtype \"\(dtype)\"",
                                   problem: .unknownDtype(tensor: name, dtype: dtype))
        }
        var bytes = elementSize
        for dimension in shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: dimension)
            guard dimension >= 0, !overflow else {
                throw SafeTensorsError(file: path, reason: "tensor \"\(name)\" has an impossible shape \(shape)",
                                       problem: .invalidShape(tensor: name))
            }
            bytes = product
        }
        guard end - begin == bytes else {
            throw SafeTensorsError(file: path, reason: "tensor \"\(name)\" data range \(offsets) holds \(end - begin) bytes, but \(dtype) \(shape) needs \(bytes)",
                                   problem: .sizeMismatch(tensor: name))
        }
        return begin..<end
    }
}
