import Crypto
import Foundation
import GoMartModels
import SQLKit
import Storage

/// Product pictures, kept as files under the data directory's `images` folder and named by a
/// hash of their bytes (`3f2a9c…e1.webp`), so an address never changes meaning and can be cached
/// for ever. Only PNG, JPEG and WebP are accepted, recognised by their content (not their name),
/// and only up to ``maximumBytes``.
public struct ProductImages: Sendable {
    /// The largest picture accepted.
    public static let maximumBytes = 2 * 1024 * 1024

    /// Why a picture was refused.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case empty
        case tooLarge
        case notAnImage

        public var description: String {
            switch self {
            case .empty: "Choose a picture to upload."
            case .tooLarge: "The picture is larger than 2 MB."
            case .notAnImage: "The file is not a PNG, JPEG or WebP picture."
            }
        }
    }

    /// Where the pictures are kept.
    public let directory: URL

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
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        let file = directory.appendingPathComponent(name)
        if !FileManager.default.fileExists(atPath: file.path) {
            // Written aside and moved into place, so a reader never sees half a picture.
            let partial = directory.appendingPathComponent(".\(name).\(UUID().uuidString)")
            try Data(bytes).write(to: partial)
            try FileManager.default.moveItem(at: partial, to: file)
        }
        return name
    }

    /// A stored picture's bytes and content type, or nil for a name that is not one of ours.
    public func read(_ name: String) -> (bytes: Data, contentType: String)? {
        guard Self.isValidName(name), let bytes = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else { return nil }
        let type = switch name.split(separator: ".").last ?? "" {
        case "png": "image/png"
        case "jpg": "image/jpeg"
        default: "image/webp"
        }
        return (bytes, type)
    }

    /// Exactly 32 hex digits, a dot and one of our three extensions: nothing else reaches the disk.
    public static func isValidName(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 32, parts[0].allSatisfy({ $0.isHexDigit && ($0.isNumber || $0.isLowercase) }) else { return false }
        return ["png", "jpg", "webp"].contains(String(parts[1]))
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
