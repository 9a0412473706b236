import CZlib
import Foundation
import NIOCore

/// gzip (RFC 1952) for response bodies.
///
/// Besides compressing whole bodies, it can build one gzip stream from parts compressed once in
/// advance and small parts that change per request: each part is a run of raw deflate blocks that
/// ends on a byte boundary (a sync flush) without the final bit, and per-request text goes in
/// stored (uncompressed) blocks between them. The result is a single ordinary gzip member, so
/// every decoder reads it, and serving a cached page gzipped costs a copy and a checksum
/// combination instead of compressing the page again.
public enum Gzip {
    /// Bodies smaller than this are sent as they are: compression would not pay for itself.
    public static let minimumSize = 1_024

    /// A piece of a gzip body: deflated data and what it stands for.
    public struct Part: Sendable {
        /// Raw deflate blocks, byte-aligned and not final.
        public let deflated: [UInt8]
        /// The CRC-32 of the uncompressed bytes.
        public let crc: UInt32
        /// The number of uncompressed bytes.
        public let length: Int
    }

    /// True when the request's `Accept-Encoding` allows gzip (and does not refuse it with `q=0`).
    public static func isAccepted(_ acceptEncoding: String?) -> Bool {
        guard let acceptEncoding else { return false }
        for item in acceptEncoding.split(separator: ",") {
            let fields = item.split(separator: ";").map { $0.trimmed(of: " \t") }
            guard let coding = fields.first?.lowercased(), coding == "gzip" || coding == "x-gzip" else { continue }
            let refused = fields.dropFirst().contains { parameter in
                let pair = parameter.lowercased().replacingOccurrences(of: " ", with: "")
                return pair == "q=0" || pair == "q=0.0" || pair == "q=0.00" || pair == "q=0.000"
            }
            return !refused
        }
        return false
    }

    /// Compresses `bytes` into one gzip member at `level` (1 fastest … 9 smallest).
    public static func compress(_ bytes: some Collection<UInt8>, level: Int32 = 6) -> ByteBuffer {
        assemble([deflate(Array(bytes), level: level)])
    }

    /// Deflates `bytes` into a part that can be followed by other parts.
    public static func deflate(_ bytes: [UInt8], level: Int32 = 6) -> Part {
        let stream = DeflateStream(level: level)
        return stream.part(bytes, flush: Z_SYNC_FLUSH)
    }

    /// A hole in a text compressed once: what per-request bytes will fill it.
    public enum Hole: Sendable, Hashable {
        /// Always exactly this many bytes (a CSRF token): text after it may still refer back to
        /// text before it, so compression stays as good as for the whole text.
        case fixedLength(Int)
        /// Any number of bytes: compression starts afresh after it.
        case anyLength
    }

    /// Deflates the static `chunks` of a text with `holes` between them (`chunks.count ==
    /// holes.count + 1`), as one stream whose back-references never reach into a hole.
    ///
    /// While compressing, each fixed-length hole is stood in for by bytes 0xFF, which never occur
    /// in UTF-8 text, so no match can start, end or pass through them; with the real bytes in
    /// stored blocks of the same length at serve time, every distance stays right. After an
    /// any-length hole the window is reset (a full flush), so nothing refers back across it.
    public static func deflate(chunks: [[UInt8]], holes: [Hole], level: Int32 = 6) -> [Part] {
        precondition(chunks.count == holes.count + 1, "a hole goes between every two chunks")
        let stream = DeflateStream(level: level)
        var parts: [Part] = []
        parts.reserveCapacity(chunks.count)
        for (index, chunk) in chunks.enumerated() {
            parts.append(stream.part(chunk, flush: Z_SYNC_FLUSH))
            guard index < holes.count else { break }
            switch holes[index] {
            case .fixedLength(let length): _ = stream.part([UInt8](repeating: 0xFF, count: length), flush: Z_SYNC_FLUSH)
            case .anyLength: _ = stream.part([0xFF], flush: Z_FULL_FLUSH)
            }
        }
        return parts
    }

    /// Wraps `bytes` in stored blocks: a part for text that changes on every request.
    public static func stored(_ bytes: some Collection<UInt8>) -> Part {
        let bytes = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 5 * (bytes.count / 65_535 + 1))
        var start = 0
        repeat {
            let count = min(65_535, bytes.count - start)
            output.append(0) // BFINAL = 0, BTYPE = 00 (stored), padded to the byte
            output.append(UInt8(count & 0xFF))
            output.append(UInt8(count >> 8))
            output.append(UInt8(~count & 0xFF))
            output.append(UInt8((~count >> 8) & 0xFF))
            output.append(contentsOf: bytes[start..<start + count])
            start += count
        } while start < bytes.count
        return Part(deflated: output, crc: checksum(bytes), length: bytes.count)
    }

    /// Joins `parts` into one gzip member: header, the parts, a final empty block and the trailer.
    public static func assemble(_ parts: [Part]) -> ByteBuffer {
        let size = parts.reduce(10 + 5 + 8) { $0 + $1.deflated.count }
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        buffer.writeBytes([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF])
        var crc: UInt32 = 0
        var length = 0
        for part in parts {
            buffer.writeBytes(part.deflated)
            crc = UInt32(crc32_combine(UInt(crc), UInt(part.crc), off_t(part.length)))
            length += part.length
        }
        buffer.writeBytes([0x01, 0x00, 0x00, 0xFF, 0xFF]) // final, empty stored block
        buffer.writeInteger(crc, endianness: .little)
        buffer.writeInteger(UInt32(truncatingIfNeeded: length), endianness: .little)
        return buffer
    }

    /// The CRC-32 of `bytes`, as gzip uses it.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
    }

    /// Decompresses a gzip body; nil if it is not valid gzip. For tests and tools.
    public static func decompress(_ bytes: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var input = bytes
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let finished: Bool = input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = UInt32(inputBuffer.count)
            while true {
                let status: Int32 = chunk.withUnsafeMutableBufferPointer { outputBuffer in
                    stream.next_out = outputBuffer.baseAddress
                    stream.avail_out = UInt32(outputBuffer.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                result.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
                if status == Z_STREAM_END { return stream.avail_in == 0 }
                if status != Z_OK { return false }
            }
        }
        return finished ? result : nil
    }
}

/// One raw deflate stream (no header), compressed piece by piece.
private final class DeflateStream {
    private var stream = z_stream()

    init(level: Int32) {
        let status = deflateInit2_(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "zlib could not start a deflate stream (\(status))")
    }

    deinit {
        deflateEnd(&stream)
    }

    /// Compresses `bytes` and flushes to a byte boundary, returning the deflated part.
    func part(_ bytes: [UInt8], flush: Int32) -> Gzip.Part {
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
        var input = bytes
        var written = 0
        input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = UInt32(inputBuffer.count)
            while true {
                if written == output.count { output.append(contentsOf: [UInt8](repeating: 0, count: 4_096)) }
                let result: Int32 = output.withUnsafeMutableBufferPointer { outputBuffer in
                    stream.next_out = outputBuffer.baseAddress! + written
                    stream.avail_out = UInt32(outputBuffer.count - written)
                    let result = CZlib.deflate(&stream, flush)
                    written = outputBuffer.count - Int(stream.avail_out)
                    return result
                }
                precondition(result == Z_OK || result == Z_BUF_ERROR, "zlib could not deflate (\(result))")
                // Done when all input is taken and the flush fitted (output space left over).
                if stream.avail_in == 0 && written < output.count { break }
            }
            stream.next_in = nil
        }
        output.removeSubrange(written...)
        return Gzip.Part(deflated: output, crc: Gzip.checksum(bytes), length: bytes.count)
    }
}
