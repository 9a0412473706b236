import CPictures
import Testing

/// Pictures made for tests, written and read with the shop's own libjpeg and libpng layer.
public enum TestPictures {
    /// A picture `width` by `height`: red rising left to right, green top to bottom, opaque
    /// unless `alpha` says otherwise.
    public static func picture(width: Int, height: Int, alpha: (Int, Int) -> UInt8 = { _, _ in 255 }) -> [UInt8] {
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width { pixels += [UInt8(x * 255 / max(width - 1, 1)), UInt8(y * 255 / max(height - 1, 1)), 80, alpha(x, y)] }
        }
        return pixels
    }

    public static func encode(_ pixels: [UInt8], width: Int, height: Int, as kind: gm_picture_kind) throws -> [UInt8] {
        var pixels = pixels
        var error = [CChar](repeating: 0, count: 256)
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        let result = pixels.withUnsafeMutableBufferPointer { buffer in
            var picture = gm_picture(pixels: buffer.baseAddress, width: Int32(width), height: Int32(height))
            return gm_picture_encode(kind, &picture, 90, &output, &length, &error, error.count)
        }
        try #require(result == 0)
        defer { gm_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: length))
    }

    public static func decode(_ bytes: [UInt8], _ kind: gm_picture_kind) throws -> (width: Int, height: Int, pixels: [UInt8]) {
        var picture = gm_picture()
        var error = [CChar](repeating: 0, count: 256)
        let result = bytes.withUnsafeBufferPointer { gm_picture_decode(kind, $0.baseAddress, $0.count, .max, 1 << 30, &picture, &error, error.count) }
        try #require(result == 0)
        defer { gm_free(picture.pixels) }
        return (Int(picture.width), Int(picture.height), Array(UnsafeBufferPointer(start: picture.pixels, count: Int(picture.width * picture.height * 4))))
    }
}
