import Crypto
import Foundation
import GoMartModels
import SQLKit
import Storage
import Synchronization

/// Product pictures, kept as files under the data directory's `images` folder and named by a
/// hash of their bytes (`3f2a9c…e1.webp`), so an address never changes meaning and can be cached
/// for ever. Only PNG, JPEG and WebP are accepted, recognised by their content (not their name),
/// and only up to ``maximumBytes``.
///
/// A PNG or JPEG is also kept at each of ``widths`` narrower than it (`3f2a9c…e1-320.jpg`, made
/// when it is stored, or on the first request for a picture stored before), so pages can offer
/// the size a screen needs in `srcset`. WebP pictures are served as uploaded, and so is every
/// picture on a machine without libjpeg and libpng.
public struct ProductImages: Sendable {
    /// The largest picture accepted.
    public static let maximumBytes = 2 * 1024 * 1024

    /// Why a picture was refused.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case empty
        case tooLarge
        case notAnImage
        /// It looks like a PNG or JPEG but cannot be read, with the reader's words.
        case unreadable(String)

        public var description: String {
            switch self {
            case .empty: "Choose a picture to upload."
            case .tooLarge: "The picture is larger than 2 MB."
            case .notAnImage: "The file is not a PNG, JPEG or WebP picture."
            case .unreadable(let reason): "The picture cannot be read (\(reason)). Save it again as a PNG or JPEG and upload that."
            }
        }
    }

    /// The widths, in pixels, of the smaller copies kept of each PNG or JPEG.
    public static let widths = [160, 320, 640, 1280]

    /// Where the pictures are kept.
    public let directory: URL
    /// Each stored picture's width and the widths of its smaller copies, once read.
    private let sizes = Sizes()

    private final class Sizes: Sendable {
        let known = Mutex<[String: (width: Int, smaller: [Int])]>([:])
    }

    /// Pictures kept in `directory` (created when the first one is stored).
    public init(directory: URL) {
        self.directory = directory
    }

    /// The kind of picture `bytes` hold, by their first bytes: `png`, `jpg` or `webp`.
    public static func kind(of bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "jpg" }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) { return "webp" }
        return nil
    }

    /// Checks and stores a picture; returns its file name. The same picture twice is one file.
    public func store(_ bytes: [UInt8]) throws -> String {
        guard !bytes.isEmpty else { throw Problem.empty }
        guard bytes.count <= Self.maximumBytes else { throw Problem.tooLarge }
        guard let kind = Self.kind(of: bytes) else { throw Problem.notAnImage }
        let name = SHA256.hash(data: bytes).prefix(16).map { String(format: "%02x", $0) }.joined() + "." + kind
        var copies: [Int: [UInt8]] = [:]
        if kind != "webp", PictureCodec.available {
            guard let size = PictureCodec.size(of: bytes, kind: kind) else { throw Problem.unreadable("its header is broken") }
            copies = try PictureCodec.shrink(bytes, kind: kind, to: Self.widths.filter { $0 < size.width })
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        for (width, copy) in copies { try write(copy, as: Self.name(name, width: width)) }
        try write(bytes, as: name)
        return name
    }

    /// Writes a file unless it is there: aside first, then moved into place, so a reader never
    /// sees half a picture.
    private func write(_ bytes: [UInt8], as name: String) throws {
        let file = directory.appendingPathComponent(name)
        guard !FileManager.default.fileExists(atPath: file.path) else { return }
        let partial = directory.appendingPathComponent(".\(name).\(UUID().uuidString)")
        try Data(bytes).write(to: partial)
        try FileManager.default.moveItem(at: partial, to: file)
    }

    /// A stored picture's bytes and content type, or nil for a name that is not one of ours. A
    /// smaller copy not made yet (the picture was stored before copies were kept) is made now.
    public func read(_ name: String) -> (bytes: Data, contentType: String)? {
        guard let parsed = Self.parse(name) else { return nil }
        let type = switch parsed.kind {
        case "png": "image/png"
        case "jpg": "image/jpeg"
        default: "image/webp"
        }
        if let bytes = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) { return (bytes, type) }
        let original = "\(parsed.hash).\(parsed.kind)"
        guard let width = parsed.width, size(of: original).smaller.contains(width),
              let bytes = FileManager.default.contents(atPath: directory.appendingPathComponent(original).path),
              let copy = try? PictureCodec.shrink(Array(bytes), kind: parsed.kind, to: [width])[width]
        else { return nil }
        try? write(copy, as: name)
        return (Data(copy), type)
    }

    /// What a page offers for stored picture `name`: each smaller copy's address and width, then
    /// the picture's own, for `srcset`; nil when there is only the picture itself.
    public func sourceSet(of name: String) -> [(url: String, width: Int)]? {
        guard let parsed = Self.parse(name), parsed.width == nil else { return nil }
        let size = size(of: name)
        guard !size.smaller.isEmpty else { return nil }
        return size.smaller.map { ("/images/\(Self.name(name, width: $0))", $0) } + [("/images/\(name)", size.width)]
    }

    /// Stored picture `name`'s width and the widths of its smaller copies (none for WebP, or for
    /// a picture that cannot be read), from its header: read once, as pages ask on every render.
    private func size(of name: String) -> (width: Int, smaller: [Int]) {
        if let known = sizes.known.withLock({ $0[name] }) { return known }
        guard let parsed = Self.parse(name), parsed.kind != "webp",
              let bytes = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
        else { return (0, []) } // not there (yet, on a folder shared between instances): asked again next time
        let read = PictureCodec.size(of: Array(bytes), kind: parsed.kind)
        let size = (width: read?.width ?? 0, smaller: Self.widths.filter { $0 < read?.width ?? 0 })
        sizes.known.withLock { $0[name] = size }
        return size
    }

    /// The name of a picture's copy `width` pixels wide.
    static func name(_ name: String, width: Int) -> String {
        let parts = name.split(separator: ".")
        return "\(parts[0])-\(width).\(parts[1])"
    }

    /// Exactly 32 hex digits, for a smaller copy a hyphen and one of ``widths``, a dot and one
    /// of our three extensions: nothing else reaches the disk.
    public static func isValidName(_ name: String) -> Bool { parse(name) != nil }

    private static func parse(_ name: String) -> (hash: Substring, width: Int?, kind: String)? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, ["png", "jpg", "webp"].contains(String(parts[1])) else { return nil }
        let stem = parts[0].split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        let hash = stem[0]
        guard hash.count == 32, hash.allSatisfy({ $0.isHexDigit && ($0.isNumber || $0.isLowercase) }) else { return nil }
        guard stem.count == 2 else { return (hash, nil, String(parts[1])) }
        guard parts[1] != "webp", let width = Int(stem[1]), widths.contains(width), String(width) == stem[1] else { return nil }
        return (hash, width, String(parts[1]))
    }
}

extension CatalogueAdmin {
    /// Gives a product a picture (nil removes it).
    @discardableResult
    public func setImage(of id: ProductID, to name: String?, audit: CatalogueAudit? = nil) async throws -> ManagedProduct {
        let before = try await product(id: id).product.image
        try await database.transaction { sql in
            try await sql.update("products").set("image", to: SQLBind(name)).set("updated_at", to: SQLBind(now().formatted(.iso8601)))
                .where("public_id", .equal, SQLBind(id.publicString)).run()
            try await SQLCatalogRepository.bumpVersion(sql)
            try await audit?(sql, CatalogueChange(subject: Self.subject(id), before: ["image": before ?? "–"], after: ["image": name ?? "–"]))
        }
        catalog.stockDidChange()
        return try await product(id: id)
    }
}
