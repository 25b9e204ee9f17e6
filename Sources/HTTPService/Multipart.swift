import Foundation

/// The first file of a `multipart/form-data` body (what the upload form sends): its bytes and file name.
/// Only what the form needs; anything malformed gives nil.
enum Multipart {
    static func firstFile(body: [UInt8], contentType: String) -> (bytes: [UInt8], fileName: String)? {
        guard let boundaryRange = contentType.range(of: "boundary=") else { return nil }
        var boundary = String(contentType[boundaryRange.upperBound...]).split(separator: ";").first.map(String.init) ?? ""
        boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard !boundary.isEmpty else { return nil }
        let delimiter = Array(("--" + boundary).utf8)
        var parts: [ArraySlice<UInt8>] = []
        var start: Int? = nil
        var index = 0
        while let found = find(delimiter, in: body, from: index) {
            if let start { parts.append(body[start..<max(start, found - 2)]) }   // minus the CRLF before the delimiter
            start = found + delimiter.count + 2                                   // past the CRLF after it
            index = found + delimiter.count
        }
        for part in parts {
            guard let headerEnd = find(Array("\r\n\r\n".utf8), in: Array(part), from: 0) else { continue }
            let headers = String(decoding: part.prefix(headerEnd), as: UTF8.self)
            guard headers.lowercased().contains("content-disposition"), let nameRange = headers.range(of: "filename=\"") else { continue }
            let fileName = String(headers[nameRange.upperBound...].prefix { $0 != "\"" })
            return (Array(part.dropFirst(headerEnd + 4)), fileName)
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard needle.count <= haystack.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
