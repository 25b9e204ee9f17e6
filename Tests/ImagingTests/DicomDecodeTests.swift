import Foundation
import Imaging
import Testing
import TestSupport

/// DICOM input through DCMTK: fixtures are written by each test (DCMTK's API via TestSupport.DicomFixture).
@Suite struct DicomDecodeTests {
    /// 64x48 greyscale with every value 0...255 present (so the file's full range is 0...255).
    static let grey: [Int] = (0..<(64 * 48)).map { ($0 * 37) % 256 }

    func write(_ fixture: DicomFixture, _ name: String = "object.dcm") throws -> (URL, [UInt8]) {
        let folder = try Fixtures.makeTemporaryDirectory("dicom")
        let file = folder.appendingPathComponent(name)
        try fixture.write(to: file.path)
        return (folder, Array(try Data(contentsOf: file)))
    }

    func decode(_ fixture: DicomFixture) throws -> ImageDecoder.Decoded {
        let (folder, bytes) = try write(fixture)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try ImageDecoder.decodeWithAttributes(bytes, file: "object.dcm")
    }

    func reason(_ fixture: DicomFixture) throws -> ImageDecodeError.Reason? {
        do { _ = try decode(fixture); return nil } catch let error as ImageDecodeError { return error.reason }
    }

    @Test func recognisedByContentAndDecodedToTheStoredGreyLevels() throws {
        let decoded = try decode(DicomFixture(width: 64, height: 48, samples: Self.grey))
        #expect(decoded.image.width == 64 && decoded.image.height == 48)
        let red = stride(from: 0, to: decoded.image.pixels.count, by: 3).map { Int(decoded.image.pixels[$0]) }
        #expect(red == Self.grey, "8-bit MONOCHROME2 without a window: the file's full range, unchanged")
        #expect(decoded.image.pixels[1] == decoded.image.pixels[0] && decoded.image.pixels[2] == decoded.image.pixels[0], "grey replicated to RGB")
        let dicom = try #require(decoded.dicom)
        #expect(dicom.sopInstanceUID == "1.2.826.0.1.3680043.10.1234.1" && dicom.studyInstanceUID == "1.2.826.0.1.3680043.10.1234.2")
        #expect(dicom.modality == "DX" && dicom.viewPosition == "PA" && dicom.voi == "min-max")
        #expect(dicom.notFrontalChestReason == nil)
    }

    @Test(arguments: ["jpeg-lossless", "jpeg-ls-lossless", "rle"])
    func losslessTransferSyntaxesGiveTheSamePixels(syntax: String) throws {
        var fixture = DicomFixture(width: 64, height: 48, samples: Self.grey)
        fixture.transferSyntax = syntax
        let decoded = try decode(fixture)
        #expect(stride(from: 0, to: decoded.image.pixels.count, by: 3).map { Int(decoded.image.pixels[$0]) } == Self.grey)
        #expect(decoded.dicom?.transferSyntax.isEmpty == false)
    }

    @Test func jpegBaselineIsDecodedCloseToTheOriginal() throws {
        let smooth = (0..<(64 * 48)).map { index in (index % 64) * 4 }
        var fixture = DicomFixture(width: 64, height: 48, samples: smooth)
        fixture.transferSyntax = "jpeg-baseline"
        let decoded = try decode(fixture)
        let red = stride(from: 0, to: decoded.image.pixels.count, by: 3).map { Int(decoded.image.pixels[$0]) }
        let meanError = zip(red, smooth).map { abs($0 - $1) }.reduce(0, +) / smooth.count
        #expect(meanError <= 3, "mean |error| \(meanError)")
    }

    /// MONOCHROME1: high stored values are dark. 12 bits stored in 16, with a window over the whole range.
    @Test func monochrome1SixteenBitWithAWindowIsInvertedAndWindowed() throws {
        let values = (0..<(32 * 32)).map { $0 * 4 }   // 0...4092
        var fixture = DicomFixture(width: 32, height: 32, samples: values)
        (fixture.bitsAllocated, fixture.bitsStored, fixture.photometric) = (16, 12, "MONOCHROME1")
        (fixture.windowCenter, fixture.windowWidth) = (2048, 4096)
        let decoded = try decode(fixture)
        #expect(decoded.dicom?.voi == "window")
        let first = Int(decoded.image.pixels[0]), last = Int(decoded.image.pixels[(32 * 32 - 1) * 3])
        #expect(first >= 250, "stored 0 is white in MONOCHROME1 (\(first))")
        #expect(last <= 5, "stored 4092 is black (\(last))")
        let middle = Int(decoded.image.pixels[(32 * 16) * 3])
        #expect(abs(middle - 127) <= 3, "stored 2048 at the window centre is mid-grey (\(middle))")
    }

    /// The window is in rescaled units: stored s shows as slope * s + intercept.
    @Test func rescaleIsAppliedBeforeTheWindow() throws {
        let values = (0..<(32 * 32)).map { $0 }   // 0...1023
        var fixture = DicomFixture(width: 32, height: 32, samples: values)
        (fixture.bitsAllocated, fixture.bitsStored) = (16, 10)
        (fixture.rescaleSlope, fixture.rescaleIntercept) = (2, -1024)   // rescaled: -1024...1022
        (fixture.windowCenter, fixture.windowWidth) = (0, 1024)          // shows -512...512
        let decoded = try decode(fixture)
        func shown(_ stored: Int) -> Int { Int(decoded.image.pixels[stored * 3]) }
        #expect(shown(0) == 0 && shown(255) == 0, "rescaled -1024 and -514 are below the window")
        #expect(abs(shown(512) - 127) <= 3, "rescaled 0 is the centre (\(shown(512)))")
        #expect(shown(1023) == 255 && shown(770) == 255, "rescaled 1022 and 516 are above")
    }

    @Test func theHeaderGivesTheSizeWithoutDecoding() throws {
        let (folder, bytes) = try write(DicomFixture(width: 64, height: 48, samples: Self.grey))
        defer { try? FileManager.default.removeItem(at: folder) }
        let header = try ImageDecoder.header(of: bytes, file: "x.dcm")
        #expect(header.format == .dicom && header.width == 64 && header.height == 48)
        #expect(ImageFormat(sniffing: bytes) == .dicom)
        let tooLarge = #expect(throws: ImageDecodeError.self) { try ImageDecoder.header(of: bytes, file: "x.dcm", limits: ImageLimits(maxPixels: 100)) }
        #expect(tooLarge?.reason == .tooLarge(width: 64, height: 48, maxPixels: 100))
    }

    @Test func lateralViewsAndOtherBodyPartsDecodeButAreNotFrontalChests() throws {
        var lateral = DicomFixture(width: 64, height: 48, samples: Self.grey)
        lateral.viewPosition = "LL"
        #expect(try decode(lateral).dicom?.notFrontalChestReason?.contains("lateral") == true)
        var knee = DicomFixture(width: 64, height: 48, samples: Self.grey)
        knee.bodyPart = "KNEE"
        #expect(try decode(knee).dicom?.notFrontalChestReason?.contains("KNEE") == true)
    }

    @Test func objectsThatAreNotOneRadiographAreRefusedWithTheReason() throws {
        var ct = DicomFixture(width: 64, height: 48, samples: Self.grey)
        ct.modality = "CT"
        guard case .refused(let text)? = try reason(ct) else { Issue.record("CT not refused"); return }
        #expect(text.contains("modality CT"))
        var cine = DicomFixture(width: 64, height: 48, samples: Self.grey)
        cine.frames = 3
        guard case .refused(let frames)? = try reason(cine) else { Issue.record("multi-frame not refused"); return }
        #expect(frames.contains("3 frames"))
        var report = DicomFixture(width: 64, height: 48, samples: Self.grey)
        report.withoutPixels = true
        guard case .refused(let none)? = try reason(report) else { Issue.record("no pixel data not refused"); return }
        #expect(none.contains("no pixel data"))
    }

    @Test func aTruncatedFileIsCorruptNamingIt() throws {
        let (folder, bytes) = try write(DicomFixture(width: 64, height: 48, samples: Self.grey))
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = #expect(throws: ImageDecodeError.self) { try ImageDecoder.decode(Array(bytes.prefix(bytes.count - 1000)), file: "cut.dcm") }
        guard case .corrupt? = error?.reason else { Issue.record("\(String(describing: error))"); return }
        #expect(error?.description.hasPrefix("cut.dcm: truncated or corrupt DICOM") == true, "\(String(describing: error))")
    }
}
