import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Storage

/// Which backups to keep: the newest `keep`, plus the newest of each of the last 7 days and of
/// each of the last 4 weeks (UTC). Everything else is deleted after each new backup.
public struct BackupRetention: Sendable, Equatable {
    public var keep: Int

    public init(keep: Int) {
        self.keep = keep
    }

    /// Of backups taken at `times`, the indices to delete at `now`.
    public func expired(_ times: [Date], now: Date) -> Set<Int> {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let newestFirst = times.indices.sorted { times[$0] > times[$1] }
        var kept = Set(newestFirst.prefix(keep))
        var days = Set<DateComponents>()
        var weeks = Set<DateComponents>()
        for index in newestFirst {
            let age = now.timeIntervalSince(times[index])
            let day = calendar.dateComponents([.year, .month, .day], from: times[index])
            if age < 7 * 86_400, days.insert(day).inserted { kept.insert(index) }
            let week = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: times[index])
            if age < 28 * 86_400, weeks.insert(week).inserted { kept.insert(index) }
        }
        return Set(times.indices).subtracting(kept)
    }
}

/// The worker's backups: every `interval` (counted from the newest backup in the folder, so a
/// restart does not take an extra one), under a database lease so that one worker takes each;
/// old ones pruned by the retention rule. Failures are logged and retried after a few minutes.
/// Exported: `gomart_backup_last_success_timestamp_seconds`, `gomart_backup_size_bytes`,
/// `gomart_backup_duration_seconds` and `gomart_backup_failures_total`.
public struct ScheduledBackups: Service {
    /// The engine's backups: ``SQLiteBackups`` or ``PostgresBackups``.
    let backups: any ShopBackups
    let folder: URL
    /// Where each backup is also sent (a bucket), or nil.
    let remote: BackupPlace?
    let interval: Duration
    let retention: BackupRetention
    let lease: JobLease
    let logger: Logger
    let retryAfter: Duration

    public init(backups: any ShopBackups, folder: URL, remote: BackupPlace? = nil, interval: Duration, retention: BackupRetention,
                database: Database, logger: Logger, retryAfter: Duration = .seconds(300)) {
        self.backups = backups
        self.folder = folder
        self.remote = remote
        self.interval = interval
        self.retention = retention
        self.lease = JobLease(name: "backup", ttlSeconds: 900, database: database)
        self.logger = logger
        self.retryAfter = retryAfter
    }

    public func run() async throws {
        if interval > .seconds(12 * 3_600) {
            logger.warning("backups are more than 12 hours apart; the shop promises one at least every 12 hours",
                           metadata: ["interval_hours": "\(interval.components.seconds / 3_600)"])
        }
        if let newest = Self.newest(in: folder) { Gauge(label: "gomart_backup_last_success_timestamp_seconds").record(newest.timeIntervalSince1970) }
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let due = Self.newest(in: folder).map { $0.addingTimeInterval(TimeInterval(interval.components.seconds)) } ?? .distantPast
                if due > Date() {
                    try await Task.sleep(for: .seconds(max(1, due.timeIntervalSinceNow)))
                    continue
                }
                try await Task.sleep(for: try await takeOne() ? .seconds(60) : retryAfter)
            }
        }
        try? await lease.release()
    }

    /// One round: takes a backup if this worker gets the lease, then prunes; false when it failed.
    public func takeOne() async throws -> Bool {
        let held: Bool
        do {
            held = try await lease.acquire()
        } catch {
            logger.error("backup: could not take the job lease", metadata: ["error": "\(error)"])
            return false
        }
        guard held else { return true } // another worker is on it
        let succeeded: Bool
        do {
            let began = ContinuousClock.now
            let taken = try await backups.backUp(into: folder)
            let elapsed = began.duration(to: .now)
            Gauge(label: "gomart_backup_last_success_timestamp_seconds").record(taken.manifest.createdAt.timeIntervalSince1970)
            Gauge(label: "gomart_backup_size_bytes").record(taken.manifest.archiveBytes)
            Gauge(label: "gomart_backup_duration_seconds").record(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            logger.info("backup taken", metadata: ["file": "\(taken.archive.lastPathComponent)", "bytes": "\(taken.manifest.archiveBytes)"])
            prune()
            if let remote {
                try await remote.store(taken)
                try await prune(remote)
                logger.info("backup sent", metadata: ["to": "\(remote.description)"])
            }
            succeeded = true
        } catch {
            Counter(label: "gomart_backup_failures_total").increment()
            logger.error("backup failed", metadata: ["error": "\(error)"])
            succeeded = false
        }
        JobRuns.record("backup", succeeded: succeeded)
        try? await lease.release()
        return succeeded
    }

    /// Deletes what the retention rule no longer keeps.
    func prune() {
        let archives = SQLiteBackups.list(in: folder)
        let times = archives.map { (try? BackupManifest.read(for: $0).createdAt) ?? .distantPast }
        for index in retention.expired(times, now: Date()) {
            try? FileManager.default.removeItem(at: archives[index])
            try? FileManager.default.removeItem(at: BackupManifest.url(for: archives[index]))
        }
    }

    /// Deletes from `place` what the retention rule no longer keeps (dates read from the names).
    func prune(_ place: BackupPlace) async throws {
        let names = try await place.list()
        let times = names.map { SQLiteBackups.date(fromName: $0) ?? .distantPast }
        for index in retention.expired(times, now: Date()) { try await place.delete(names[index]) }
    }

    /// When the newest backup in `folder` was taken.
    static func newest(in folder: URL) -> Date? {
        SQLiteBackups.list(in: folder).compactMap { try? BackupManifest.read(for: $0).createdAt }.max()
    }
}
