import Foundation

/// Where backups are kept: a folder, or a bucket of S3-compatible object storage
/// (`s3://bucket/prefix`, addressed by `GOMART_S3_ENDPOINT` and the usual AWS credentials).
/// Backups are always taken into a local folder first; a bucket then receives the backup file
/// and its manifest.
public enum BackupPlace: Sendable {
    case folder(URL)
    case bucket(S3Store, prefix: String)

    /// A folder path or an `s3://` address.
    public static func parse(_ address: String, environment: [String: String]) throws -> BackupPlace {
        guard address.hasPrefix("s3://") else { return .folder(URL(fileURLWithPath: address)) }
        guard let (bucket, prefix) = S3Store.parse(address) else {
            throw S3Store.S3Error(description: "\(address) is not an s3://bucket/prefix address")
        }
        return .bucket(S3Store(settings: try .fromEnvironment(environment), bucket: bucket), prefix: prefix)
    }

    /// For messages.
    public var description: String {
        switch self {
        case .folder(let url): url.path
        case .bucket(let store, let prefix): "s3://\(store.bucket)/\(prefix)"
        }
    }

    func key(_ name: String, prefix: String) -> String { prefix.isEmpty ? name : "\(prefix)/\(name)" }

    /// Sends a backup taken into a local folder to this place (nothing to do for that folder).
    public func store(_ taken: SQLiteBackups.Taken) async throws {
        guard case .bucket(let store, let prefix) = self else { return }
        try await store.ensureBucket()
        // The manifest first: a backup file in the bucket always has its manifest.
        let manifest = BackupManifest.url(for: taken.archive)
        try await store.put(key(manifest.lastPathComponent, prefix: prefix), file: manifest)
        try await store.put(key(taken.archive.lastPathComponent, prefix: prefix), file: taken.archive)
    }

    /// The backup files here, oldest first.
    public func list() async throws -> [String] {
        switch self {
        case .folder(let url):
            return SQLiteBackups.list(in: url).map(\.lastPathComponent)
        case .bucket(let store, let prefix):
            return try await store.list(prefix: prefix.isEmpty ? "gomart-" : prefix + "/gomart-")
                .map { String($0.split(separator: "/").last ?? "") }.filter { $0.hasSuffix(".gmbackup") }.sorted()
        }
    }

    /// The backup `name` and its manifest as local files: in the folder itself, or fetched into
    /// `scratch`.
    public func fetch(_ name: String, into scratch: URL) async throws -> URL {
        switch self {
        case .folder(let url):
            return url.appendingPathComponent(name)
        case .bucket(let store, let prefix):
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let archive = scratch.appendingPathComponent(name)
            try await store.get(key(name, prefix: prefix), to: archive)
            let manifest = BackupManifest.url(for: archive)
            try await store.get(key(manifest.lastPathComponent, prefix: prefix), to: manifest)
            return archive
        }
    }

    /// Deletes the backup `name` and its manifest.
    public func delete(_ name: String) async throws {
        let manifest = BackupManifest.url(for: URL(fileURLWithPath: name)).lastPathComponent
        switch self {
        case .folder(let url):
            try? FileManager.default.removeItem(at: url.appendingPathComponent(name))
            try? FileManager.default.removeItem(at: url.appendingPathComponent(manifest))
        case .bucket(let store, let prefix):
            try await store.delete(key(name, prefix: prefix))
            try await store.delete(key(manifest, prefix: prefix))
        }
    }
}
