import Foundation
import Imaging
import Testing
import TestSupport

@Suite("Bad input gets a typed error naming the file")
struct DecodeErrorTests {
    private func reason(decoding bytes: [UInt8], file: String = "x", limits: ImageLimits = ImageLimits()) -> ImageDecodeError.Reason? {
        do {
            _ = try ImageDecoder.decode(bytes, file: file, limits: limits)
            return nil
        } catch {
            return error.reason
        }
    }

    private func isCorrupt(_ reason: ImageDecodeError.Reason?) -> Bool {
        if case .corrupt = reason { return true }
        return false
    }

    @Test func zeroBytesAreEmpty() {
        #expect(reason(decoding: []) == .empty)
    }

    @Test func textNamedPNGIsNotAnImage() throws {
        let error = #expect(throws: ImageDecodeError.self) {
            try ImageDecoder.decode(Array("patient notes, not a picture\n".utf8), file: "notes.png")
        }
        #expect(error?.reason == .notAnImage)
        #expect(error?.description == "notes.png: not an image (neither PNG, JPEG nor DICOM content)")
    }

    @Test func truncatedJPEGFailsInsteadOfTurningGrey() throws {
        let bytes = try FixtureFiles.bytes("jpeg_baseline.jpg")
        let error = #expect(throws: ImageDecodeError.self) {
            try ImageDecoder.decode(Array(bytes.prefix(bytes.count / 2)), file: "scan 1.jpg")
        }
        #expect(error?.reason == .corrupt("Premature end of JPEG file"))
        #expect(error?.description == "scan 1.jpg: truncated or corrupt JPEG (Premature end of JPEG file)")
    }

    @Test(arguments: ["png_rgb8.png", "png_interlaced.png"])
    func truncatedPNGFails(file: String) throws {
        let bytes = try FixtureFiles.bytes(file)
        let error = #expect(throws: ImageDecodeError.self) {
            try ImageDecoder.decode(Array(bytes.prefix(bytes.count / 2)), file: file)
        }
        #expect(isCorrupt(error?.reason), "\(String(describing: error))")
        #expect(error?.description.hasPrefix("\(file): truncated or corrupt PNG (") == true)
    }

    @Test func flippedCRCByteFails() throws {
        var bytes = try FixtureFiles.bytes("png_rgb8.png")
        // The IHDR chunk's CRC sits at bytes 29...32 (8 signature + 4 length + 4 type + 13 data).
        bytes[29] ^= 0xFF
        #expect(reason(decoding: bytes) == .corrupt("IHDR: CRC error"))
    }

    @Test func flippedIDATByteFails() throws {
        var bytes = try FixtureFiles.bytes("png_rgb8.png")
        bytes[bytes.count - 20] ^= 0x01  // inside the IDAT chunk's data or CRC
        #expect(isCorrupt(reason(decoding: bytes)))
    }

    @Test func hugeDeclaredDimensionsAreRefusedBeforeDecoding() throws {
        let bytes = try FixtureFiles.bytes("png_huge_dimensions.png")
        let error = #expect(throws: ImageDecodeError.self) {
            try ImageDecoder.decode(bytes, file: "big.png")
        }
        #expect(error?.reason == .tooLarge(width: 100_000, height: 100_000, maxPixels: 64_000_000))
        #expect(error?.description == "big.png: 100000x100000 pixels is over the max_pixels limit of 64000000")
    }

    @Test func jpegOverThePixelLimitIsTooLarge() throws {
        let bytes = try FixtureFiles.bytes("jpeg_baseline.jpg")
        #expect(reason(decoding: bytes, limits: ImageLimits(maxPixels: 1000)) == .tooLarge(width: 64, height: 48, maxPixels: 1000))
    }

    @Test func fileOverTheByteLimitIsRefused() throws {
        let path = FixtureFiles.path("png_rgb8.png")
        let size = try FixtureFiles.bytes("png_rgb8.png").count
        let error = #expect(throws: ImageDecodeError.self) {
            try ImageDecoder.decode(contentsOf: path, limits: ImageLimits(maxBytes: 100))
        }
        #expect(error?.reason == .fileTooLarge(bytes: size, maxBytes: 100))
        #expect(error?.file == path, "named by the path as given")
    }

    @Test func missingFileAndDirectoryAreUnreadable() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let gone = folder.appendingPathComponent("gone.png").path
        let missing = #expect(throws: ImageDecodeError.self) { try ImageDecoder.decode(contentsOf: gone) }
        #expect(missing?.reason == .unreadable("No such file or directory"))
        #expect(missing?.description == "\(gone): unreadable (No such file or directory)")
        let directory = #expect(throws: ImageDecodeError.self) {
            try ImageDecoder.decode(contentsOf: folder.path)
        }
        #expect(directory?.reason == .unreadable("is a directory"))
    }

    @Test func emptyFileOnDiskIsEmpty() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("empty.jpg")
        try Data().write(to: file)
        let error = #expect(throws: ImageDecodeError.self) { try ImageDecoder.decode(contentsOf: file.path) }
        #expect(error?.reason == .empty)
        #expect(error?.file == file.path)
    }
}

/// The header is read alone (for the watcher's pixel budget), then the pixels straight into the image.
@Suite struct DecodeHeaderTests {
    @Test(arguments: ["jpeg_baseline.jpg", "jpeg_cmyk.jpg", "png_grey8.png", "png_rgb16.png", "png_interlaced.png"])
    func headerGivesTheSizeTheDecodedImageHas(fixture: String) throws {
        let bytes = try FixtureFiles.bytes(fixture)
        let header = try ImageDecoder.header(of: bytes, file: fixture)
        let image = try ImageDecoder.decode(bytes, file: fixture)
        #expect(header.width * header.height == image.width * image.height)
        #expect(header.width == image.width && header.height == image.height)
        #expect(image.pixels.count == image.width * image.height * 3)
    }

    @Test func headerRefusesWhatDecodingRefuses() throws {
        let bytes = try FixtureFiles.bytes("jpeg_baseline.jpg")
        let limits = ImageLimits(maxPixels: 100)
        let error = #expect(throws: ImageDecodeError.self) { try ImageDecoder.header(of: bytes, file: "big.jpg", limits: limits) }
        guard case .tooLarge(_, _, 100)? = error?.reason else { Issue.record("\(String(describing: error))"); return }
        #expect(throws: ImageDecodeError.self) { try ImageDecoder.header(of: Array("not an image".utf8), file: "x") }
        #expect(throws: ImageDecodeError.self) { try ImageDecoder.header(of: Array(bytes.prefix(40)), file: "cut.jpg") }
    }
}
