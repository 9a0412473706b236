import CZlib
import Crypto
import Foundation

/// The key that encrypts backups. It is not the data key: a backup copied off the machine is
/// useless without this key, and the personal data inside it stays sealed with the data key too.
public struct BackupKey: Sendable {
    let key: SymmetricKey

    /// Problems reading or making the key.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// The key from `GOMART_BACKUP_KEY` (32 bytes, base64) if given; otherwise from `keyFile`,
    /// which is created (32 random bytes, base64, mode 0600) when `create` is set and it is missing.
    public static func resolve(configuredBase64: String?, keyFile: String, create: Bool) throws -> BackupKey {
        if let configuredBase64 {
            guard let data = Data(base64Encoded: configuredBase64.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
                throw Invalid(description: "GOMART_BACKUP_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32)")
            }
            return BackupKey(key: SymmetricKey(data: data))
        }
        if let text = try? String(contentsOfFile: keyFile, encoding: .utf8) {
            guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
                throw Invalid(description: "\(keyFile) does not hold a 32-byte base64 key")
            }
            return BackupKey(key: SymmetricKey(data: data))
        }
        guard create else {
            throw Invalid(description: "no backup key: set GOMART_BACKUP_KEY, or keep the backup.key file of the data folder the backup came from")
        }
        let key = SymmetricKey(size: .bits256)
        let text = key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
        // Created exclusively: a worker and a `gomart backup` starting at once must not each
        // write a key of their own, or one of them would encrypt with a key that is then lost.
        let descriptor = open(keyFile, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if descriptor < 0 && errno == EEXIST {
            return try resolve(configuredBase64: nil, keyFile: keyFile, create: false)
        }
        guard descriptor >= 0 else { throw Invalid(description: "could not create the backup key file \(keyFile)") }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: Data(text.utf8))
            try handle.synchronize()
        } catch {
            throw Invalid(description: "could not write the backup key to \(keyFile)")
        }
        return BackupKey(key: key)
    }

    /// A key from raw bytes (tests).
    public init(bytes: [UInt8]) {
        key = SymmetricKey(data: bytes)
    }

    init(key: SymmetricKey) {
        self.key = key
    }
}

/// GoMart's backup file: a file compressed and encrypted in chunks of 1 MiB.
///
/// Layout: the magic line `GOMART-BACKUP-1\n`, then chunks, each a 4-byte big-endian length and
/// an AES-256-GCM box (nonce, ciphertext, tag). A chunk's plaintext is the 4-byte length of its
/// original bytes and those bytes deflated (zlib). Each box authenticates its index and whether
/// it is the last, so chunks cannot be reordered, dropped or cut off without the reading failing.
public enum BackupArchive {
    static let magic = Array("GOMART-BACKUP-1\n".utf8)
    static let chunkSize = 1 << 20

    /// Reading a backup failed: not a backup, the wrong key, or damaged.
    public struct Unreadable: Error, CustomStringConvertible {
        public let description: String
    }

    /// Compresses and encrypts the file at `source` into the new file `destination`; returns the
    /// bytes written.
    @discardableResult
    public static func seal(_ source: URL, to destination: URL, key: BackupKey) throws -> Int {
        let input = try FileHandle(forReadingFrom: source)
        defer { try? input.close() }
        guard FileManager.default.createFile(atPath: destination.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw Unreadable(description: "could not create \(destination.path)")
        }
        let output = try FileHandle(forWritingTo: destination)
        defer { try? output.close() }
        try output.write(contentsOf: magic)
        var written = magic.count
        var index: UInt64 = 0
        var chunk = try input.read(upToCount: chunkSize) ?? Data()
        while true {
            let next = chunk.count == chunkSize ? (try input.read(upToCount: chunkSize) ?? Data()) : Data()
            let last = next.isEmpty
            var plain = Data()
            var length = UInt32(chunk.count).bigEndian
            plain.append(Data(bytes: &length, count: 4))
            plain.append(try deflate(chunk))
            let box = try AES.GCM.seal(plain, using: key.key, authenticating: associatedData(index: index, last: last))
            guard let combined = box.combined else { throw Unreadable(description: "could not encrypt") }
            var size = UInt32(combined.count).bigEndian
            try output.write(contentsOf: Data(bytes: &size, count: 4))
            try output.write(contentsOf: combined)
            written += 4 + combined.count
            if last { return written }
            chunk = next
            index += 1
        }
    }

    /// Decrypts and decompresses the backup at `source` into the new file `destination`.
    public static func open(_ source: URL, to destination: URL, key: BackupKey) throws {
        let input = try FileHandle(forReadingFrom: source)
        defer { try? input.close() }
        guard let head = try input.read(upToCount: magic.count), Array(head) == magic else {
            throw Unreadable(description: "\(source.lastPathComponent) is not a GoMart backup")
        }
        guard FileManager.default.createFile(atPath: destination.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw Unreadable(description: "could not create \(destination.path)")
        }
        let output = try FileHandle(forWritingTo: destination)
        defer { try? output.close() }
        var index: UInt64 = 0
        while true {
            guard let sizeBytes = try input.read(upToCount: 4), sizeBytes.count == 4 else {
                throw Unreadable(description: "the backup is cut short (no last chunk)")
            }
            let size = Int(sizeBytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            guard size <= chunkSize * 2, let combined = try input.read(upToCount: size), combined.count == size else {
                throw Unreadable(description: "the backup is cut short or damaged")
            }
            let box = try AES.GCM.SealedBox(combined: combined)
            var plain: Data
            var last = false
            do {
                plain = try AES.GCM.open(box, using: key.key, authenticating: associatedData(index: index, last: false))
            } catch {
                do {
                    plain = try AES.GCM.open(box, using: key.key, authenticating: associatedData(index: index, last: true))
                    last = true
                } catch {
                    throw Unreadable(description: "the backup cannot be decrypted: the wrong backup key, or a damaged file")
                }
            }
            guard plain.count >= 4 else { throw Unreadable(description: "the backup is damaged") }
            let length = Int(plain.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            try output.write(contentsOf: try inflate(plain.dropFirst(4), length: length))
            if last {
                guard try input.read(upToCount: 1)?.isEmpty ?? true else { throw Unreadable(description: "the backup has data after its last chunk") }
                return
            }
            index += 1
        }
    }

    static func associatedData(index: UInt64, last: Bool) -> Data {
        var bytes = Array("gomart-backup".utf8)
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: index >> UInt64(shift))) }
        bytes.append(last ? 1 : 0)
        return Data(bytes)
    }

    static func deflate(_ data: Data) throws -> Data {
        var bound = compressBound(uLong(data.count))
        var output = [UInt8](repeating: 0, count: Int(bound))
        let status = data.withUnsafeBytes { input in
            compress2(&output, &bound, input.bindMemory(to: UInt8.self).baseAddress, uLong(data.count), 6)
        }
        guard status == Z_OK else { throw Unreadable(description: "could not compress (zlib \(status))") }
        return Data(output[0..<Int(bound)])
    }

    static func inflate(_ data: Data, length: Int) throws -> Data {
        guard length <= chunkSize else { throw Unreadable(description: "the backup is damaged") }
        var size = uLong(length)
        var output = [UInt8](repeating: 0, count: max(length, 1))
        let compressed = Array(data)
        let status = uncompress(&output, &size, compressed, uLong(compressed.count))
        guard status == Z_OK, Int(size) == length else { throw Unreadable(description: "the backup is damaged (zlib \(status))") }
        return Data(output[0..<length])
    }
}
