import CPictures
import Foundation
import TestSupport
import Testing

@testable import Catalog

/// Uploaded pictures and their smaller copies for `srcset`, made with libjpeg and libpng.
@Suite struct ProductImagesTests {
    func withImages(_ body: (ProductImages, URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gomart-images-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(ProductImages(directory: directory), directory)
    }

    @Test func aJPEGIsKeptAtEachSmallerWidthInProportionAndPagesAreOfferedThem() throws {
        try withImages { images, directory in
            let jpeg = try TestPictures.encode(TestPictures.picture(width: 1000, height: 600), width: 1000, height: 600, as: GM_PICTURE_JPEG)
            let name = try images.store(jpeg)
            let hash = String(name.dropLast(4))
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            #expect(files == ["\(hash)-160.jpg", "\(hash)-320.jpg", "\(hash)-640.jpg", "\(hash).jpg"])
            for (width, height) in [(160, 96), (320, 192), (640, 384)] {
                let copy = try #require(images.read("\(hash)-\(width).jpg"))
                #expect(copy.contentType == "image/jpeg")
                let decoded = try TestPictures.decode(Array(copy.bytes), GM_PICTURE_JPEG)
                #expect(decoded.width == width)
                #expect(decoded.height == height)
                // The right edge stays red, the bottom green (JPEG is lossy: within a few steps).
                let corner = Array(decoded.pixels[((height - 1) * width + width - 1) * 4..<((height - 1) * width + width) * 4])
                #expect(corner[0] > 240 && corner[1] > 240 && abs(Int(corner[2]) - 80) < 8)
            }
            let offered = try #require(images.sourceSet(of: name))
            #expect(offered.map(\.url) == ["/images/\(hash)-160.jpg", "/images/\(hash)-320.jpg", "/images/\(hash)-640.jpg", "/images/\(name)"])
            #expect(offered.map(\.width) == [160, 320, 640, 1000])
        }
    }

    /// `pixels`, a row `width` wide, shrunk to `to` pixels wide.
    static func shrunk(_ pixels: [UInt8], width: Int32, to: Int32) throws -> [UInt8] {
        var pixels = pixels
        var small = gm_picture()
        let result = pixels.withUnsafeMutableBufferPointer { buffer in
            var picture = gm_picture(pixels: buffer.baseAddress, width: width, height: 1)
            return gm_picture_shrink(&picture, to, &small)
        }
        try #require(result == 0)
        defer { gm_free(small.pixels) }
        return Array(UnsafeBufferPointer(start: small.pixels, count: Int(to) * 4))
    }

    @Test func shrinkingAveragesTheAreaEachPixelCoversAndTransparencyDoesNotBleed() throws {
        // Four pixels: opaque black, opaque white, transparent red, opaque blue.
        #expect(try Self.shrunk([0, 0, 0, 255, 255, 255, 255, 255, 255, 0, 0, 0, 0, 0, 255, 255], width: 4, to: 2) == [128, 128, 128, 255, 0, 0, 255, 128])
        // Three to two: each new pixel is one old pixel and half of the middle one.
        #expect(try Self.shrunk([0, 0, 0, 255, 90, 90, 90, 255, 240, 240, 240, 255], width: 3, to: 2) == [30, 30, 30, 255, 190, 190, 190, 255])
    }

    @Test func aPhoneCamerasTurnIsAppliedToTheCopies() throws {
        try withImages { images, _ in
            // 400 × 200, red on the left half and blue on the right, stored on its side: its
            // EXIF orientation 6 says "turn a quarter clockwise", so it shows 200 × 400, red on top.
            let red: [UInt8] = [230, 20, 20, 255]
            let blue: [UInt8] = [20, 20, 230, 255]
            let pixels: [UInt8] = (0..<200).flatMap { _ in (0..<400).flatMap { x in x < 200 ? red : blue } }
            var jpeg = try TestPictures.encode(pixels, width: 400, height: 200, as: GM_PICTURE_JPEG)
            let exif: [UInt8] = Array("Exif".utf8) + [0, 0] + Array("MM".utf8) + [0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]
            jpeg.insert(contentsOf: [0xFF, 0xE1, 0, UInt8(exif.count + 2)] + exif, at: 2)
            let name = try images.store(jpeg)
            #expect(images.sourceSet(of: name)?.map(\.width) == [160, 200])
            let copy = try TestPictures.decode(Array(try #require(images.read(String(name.dropLast(4)) + "-160.jpg")).bytes), GM_PICTURE_JPEG)
            #expect(copy.width == 160)
            #expect(copy.height == 320)
            let top = Array(copy.pixels[(10 * 160 + 80) * 4..<(10 * 160 + 81) * 4])
            let bottom = Array(copy.pixels[(310 * 160 + 80) * 4..<(310 * 160 + 81) * 4])
            #expect(top[0] > 200 && top[2] < 60)
            #expect(bottom[2] > 200 && bottom[0] < 60)
        }
    }

    @Test func aTransparentPNGKeepsItsTransparencyInItsCopies() throws {
        try withImages { images, _ in
            let png = try TestPictures.encode(TestPictures.picture(width: 400, height: 400) { x, _ in x < 200 ? 0 : 255 }, width: 400, height: 400, as: GM_PICTURE_PNG)
            let name = try images.store(png)
            #expect(images.sourceSet(of: name)?.map(\.width) == [160, 320, 400])
            let copy = try #require(images.read(String(name.dropLast(4)) + "-160.png"))
            #expect(copy.contentType == "image/png")
            let decoded = try TestPictures.decode(Array(copy.bytes), GM_PICTURE_PNG)
            #expect(decoded.width == 160)
            #expect(decoded.pixels[3] == 0)
            #expect(decoded.pixels[159 * 4 + 3] == 255)
        }
    }

    @Test func aPictureStoredBeforeCopiesWereKeptGetsThemOnItsFirstRequest() throws {
        try withImages { images, directory in
            let jpeg = try TestPictures.encode(TestPictures.picture(width: 500, height: 500), width: 500, height: 500, as: GM_PICTURE_JPEG)
            let name = try images.store(jpeg)
            let copy = directory.appendingPathComponent(String(name.dropLast(4)) + "-320.jpg")
            try FileManager.default.removeItem(at: copy)
            let fresh = ProductImages(directory: directory)
            let served = try #require(fresh.read(copy.lastPathComponent))
            #expect(try TestPictures.decode(Array(served.bytes), GM_PICTURE_JPEG).width == 320)
            #expect(FileManager.default.fileExists(atPath: copy.path))
            // Only the widths a picture is kept at: it is 500 wide, so no copy 640 wide.
            #expect(fresh.read(String(name.dropLast(4)) + "-640.jpg") == nil)
        }
    }

    @Test func brokenOrHugePicturesAreRefusedWithWhy() throws {
        try withImages { images, directory in
            #expect(throws: ProductImages.Problem.unreadable("its header is broken")) { try images.store([0xFF, 0xD8, 0xFF] + [UInt8](repeating: 0, count: 64)) }
            // A real JPEG whose header claims 6,000 × 5,000 pixels: refused before decoding.
            var jpeg = try TestPictures.encode(TestPictures.picture(width: 8, height: 8), width: 8, height: 8, as: GM_PICTURE_JPEG)
            let frame = try #require(jpeg.indices.first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
            jpeg.replaceSubrange(frame + 5..<frame + 9, with: [0x13, 0x88, 0x17, 0x70])
            #expect(throws: ProductImages.Problem.unreadable("the picture has too many pixels")) { try images.store(jpeg) }
            #expect(!FileManager.default.fileExists(atPath: directory.path))
        }
    }

    @Test func picturesAreKnownByTheirContentNotTheirName() {
        #expect(ProductImages.kind(of: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == "png")
        #expect(ProductImages.kind(of: [0xFF, 0xD8, 0xFF, 0xE0]) == "jpg")
        #expect(ProductImages.kind(of: Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8)) == "webp")
        #expect(ProductImages.kind(of: Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVEfmt ".utf8)) == nil)
        #expect(ProductImages.kind(of: Array("GIF89a".utf8)) == nil)
        #expect(ProductImages.kind(of: Array("<svg/>".utf8)) == nil)
    }

    @Test func theSamePictureIsOneFileAndOnlyOurOwnNamesReachTheDisk() throws {
        try withImages { images, _ in
            let jpeg = try TestPictures.encode(TestPictures.picture(width: 100, height: 100), width: 100, height: 100, as: GM_PICTURE_JPEG)
            let name = try images.store(jpeg)
            #expect(try images.store(jpeg) == name)
            #expect(name.hasSuffix(".jpg"))
            #expect(images.read(name)?.contentType == "image/jpeg")
            #expect(images.sourceSet(of: name) == nil) // narrower than the smallest copy
            for bad in ["../gomart.sqlite", name.uppercased(), name + "x", "0123.jpg", name.replacingOccurrences(of: ".jpg", with: ".svg")] {
                #expect(images.read(bad) == nil, "\(bad)")
            }
            #expect(throws: ProductImages.Problem.notAnImage) { try images.store(Array("not a picture".utf8)) }
        }
    }

    @Test func copiesHaveNamesOfTheirOwn() {
        let hash = String(repeating: "ab", count: 16)
        #expect(ProductImages.isValidName("\(hash).jpg"))
        #expect(ProductImages.isValidName("\(hash)-320.jpg"))
        #expect(ProductImages.isValidName("\(hash)-1280.png"))
        #expect(!ProductImages.isValidName("\(hash)-321.jpg"))
        #expect(!ProductImages.isValidName("\(hash)-0320.jpg"))
        #expect(!ProductImages.isValidName("\(hash)-320.webp"))
        #expect(!ProductImages.isValidName("\(hash)-320-1.jpg"))
        #expect(!ProductImages.isValidName("../\(hash).jpg"))
    }
}
