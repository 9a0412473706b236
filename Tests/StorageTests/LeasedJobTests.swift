import Logging
import Storage
import Synchronization
import TestSupport
import Testing

/// Collects the messages logged at error level.
private struct ErrorCollector: LogHandler {
    let box: LeasedJobTests.Box
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        if event.level >= .error { box.errors.withLock { $0.append(event.message.description) } }
    }
}

@Suite struct LeasedJobTests {
    final class Box: Sendable { let errors = Mutex<[String]>([]) }

    @Test func aRoundStoppedByShutdownIsNotLoggedAsAFailure() async throws {
        let database = try await TestDatabase.migrated()
        let box = Box()
        let logger = Logger(label: "test") { _ in ErrorCollector(box: box) }
        let (started, didStart) = AsyncStream.makeStream(of: Void.self)
        // A round that is busy until it is cancelled, as a query or a send is at shutdown: it
        // waits on a stream nothing feeds, then throws as cancelled work does.
        let (never, feeder) = AsyncStream.makeStream(of: Void.self)
        let job = LeasedJob(lease: "test-job", metric: "test-job", database: database, interval: .seconds(60), logger: logger) {
            didStart.yield()
            for await _ in never {}
            try Task.checkCancellation()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await job.run() }
            var waiting = started.makeAsyncIterator()
            _ = await waiting.next()
            group.cancelAll()
            try await group.waitForAll()
        }
        feeder.finish()
        #expect(box.errors.withLock { $0 } == [])
        await database.close()
    }
}
