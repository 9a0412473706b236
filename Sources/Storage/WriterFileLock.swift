import Foundation
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Takes turns with other processes writing the same SQLite file: an exclusive `flock` on a file
/// beside it (`<database>-writer`), held from `BEGIN IMMEDIATE` to `COMMIT`.
///
/// SQLite's own write lock is polled by its busy handler, which sleeps up to 100 ms between
/// tries: a second shop process on the same file (two instances on one machine) could miss
/// every short gap between the first one's back-to-back group commits and fail with "database is
/// locked" after the busy timeout. A process waiting here sleeps in the kernel instead, is woken
/// as soon as the lock is let go, and never times out.
final class WriterFileLock: Sendable {
    private let descriptor: Int32
    /// The blocking wait runs on a thread of its own, never on the cooperative pool.
    private let thread: NIOThreadPool
    /// Set by the first ``close()``: a descriptor is closed once, or a later close could close
    /// whatever file or socket reused its number.
    private let closed = Atomic<Bool>(false)

    /// Opens (creating it, private to the shop's user) the lock file beside `databasePath`.
    init(databasePath: String) throws {
        let path = databasePath + "-writer"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StorageError.invalidDatabaseURL("cannot open the writer lock \(path): errno \(errno)") }
        self.descriptor = descriptor
        thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
    }

    /// Runs `body` holding the lock.
    func withLock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let descriptor = descriptor
        try await thread.runIfActive {
            while flock(descriptor, LOCK_EX) != 0 {
                guard errno == EINTR else { throw StorageError.invalidDatabaseURL("cannot take the writer lock: errno \(errno)") }
            }
        }
        defer { _ = flock(descriptor, LOCK_UN) }
        return try await body()
    }

    /// Closes the lock file and stops the waiting thread; closing again does nothing.
    func close() async {
        guard closed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        #if canImport(Glibc)
        _ = Glibc.close(descriptor)
        #else
        _ = Darwin.close(descriptor)
        #endif
        try? await thread.shutdownGracefully()
    }
}
