import CPictures

/// Reads and writes the pictures managers upload (PNG and JPEG, through libpng and libjpeg) to
/// make the smaller copies pages offer in `srcset`.
enum PictureCodec {
    /// Pictures with more pixels than this are refused before they are decoded (a 2 MB file can
    /// hold a picture that needs gigabytes once decoded).
    static let maximumPixels: Int64 = 24_000_000
    /// The JPEG quality of the smaller copies.
    static let jpegQuality: Int32 = 82

    /// True when libjpeg and libpng are installed: without them pictures are served as
    /// uploaded, without smaller copies.
    static var available: Bool { gm_pictures_available() != 0 }

    /// The width and height in a PNG's or JPEG's header, or nil when the bytes are not one.
    static func size(of bytes: [UInt8], kind: String) -> (width: Int, height: Int)? {
        guard let kind = Self.kind(kind) else { return nil }
        var width: Int32 = 0
        var height: Int32 = 0
        let result = bytes.withUnsafeBufferPointer { gm_picture_size(kind, $0.baseAddress, $0.count, &width, &height) }
        guard result == 0, width > 0, height > 0 else { return nil }
        return (Int(width), Int(height))
    }

    /// The picture at each of `widths` (each smaller than the picture), in its own kind; throws
    /// the decoder's or encoder's complaint.
    static func shrink(_ bytes: [UInt8], kind name: String, to widths: [Int]) throws(ProductImages.Problem) -> [Int: [UInt8]] {
        guard let kind = Self.kind(name), let largest = widths.max() else { return [:] }
        var error = [CChar](repeating: 0, count: 256)
        var decoded = gm_picture()
        let result = bytes.withUnsafeBufferPointer { input in
            gm_picture_decode(kind, input.baseAddress, input.count, Int32(largest), maximumPixels, &decoded, &error, error.count)
        }
        guard result == 0 else { throw .unreadable(Self.text(error)) }
        defer { gm_free(decoded.pixels) }
        var copies: [Int: [UInt8]] = [:]
        for width in widths {
            var small = gm_picture()
            if width < decoded.width {
                guard gm_picture_shrink(&decoded, Int32(width), &small) == 0 else { throw .unreadable("out of memory") }
            } else {
                small = decoded
            }
            defer { if small.pixels != decoded.pixels { gm_free(small.pixels) } }
            var output: UnsafeMutablePointer<UInt8>?
            var length = 0
            guard gm_picture_encode(kind, &small, jpegQuality, &output, &length, &error, error.count) == 0, let output else {
                throw .unreadable(Self.text(error))
            }
            copies[width] = Array(UnsafeBufferPointer(start: output, count: length))
            gm_free(output)
        }
        return copies
    }

    private static func kind(_ name: String) -> gm_picture_kind? {
        switch name {
        case "png": GM_PICTURE_PNG
        case "jpg": GM_PICTURE_JPEG
        default: nil
        }
    }

    private static func text(_ error: [CChar]) -> String {
        String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
