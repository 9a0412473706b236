import Logging
import SQLKit
import Synchronization

/// Group commit for SQLite's single writer: transactions that arrive while a commit is being
/// made durable wait for it, then share the next commit.
///
/// With `synchronous=FULL` every commit waits for the disk, so a lone writer can commit only as
/// often as the disk syncs. Here the first transaction to find the writer idle starts a batch;
/// each queued transaction runs in its own `SAVEPOINT` inside one `BEGIN IMMEDIATE … COMMIT`
/// (left open: they nest, and the `COMMIT` releases them all).
/// A transaction that throws is rolled back to its savepoint alone; the others go on. Nobody is
/// told "committed" before the one `COMMIT` that covers them returns, and if that fails, every
/// transaction of the batch fails. Under light load a batch holds one transaction and nothing
/// waits; under load the disk sync is shared by up to ``maximumBatch`` transactions.
///
/// Batches are committed by ``run()``, which the database's owner runs for its whole life (in the
/// service group, or beside a command); callers only queue their transaction and wait.
final class GroupCommit: Sendable {
    /// A queued transaction.
    struct Job: Sendable {
        /// Runs it inside the batch and says how to answer its caller once the commit is known.
        var run: @Sendable (any SQLDatabase) async -> Outcome
        /// Answers its caller with a failure without running it.
        var fail: @Sendable (any Error) -> Void
    }

    struct Outcome: Sendable {
        /// Answers the caller, given the batch commit's error if any.
        var answer: @Sendable ((any Error)?) -> Void
        /// The savepoint could not be undone: the whole batch must be rolled back.
        var poisoned: Bool
    }

    /// The most transactions in one commit, which bounds how long the first of them waits.
    static let maximumBatch = 64

    private struct State {
        var queue: [Job] = []
        var stopped = false
    }

    private let state = Mutex(State())
    /// Wakes ``run()`` when work is queued; wake-ups that arrive while it works coalesce.
    private let wakeUps = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    private let lock: AsyncLock
    private let connection: @Sendable () -> any SQLDatabase
    private let logger: Logger

    /// `lock` is held while a batch runs, so other users of the connection (reads of an
    /// in-memory database, closing) never see a batch half-way.
    /// Other processes' turns at writing the same file, when it is a file.
    private let fileLock: WriterFileLock?

    init(lock: AsyncLock, fileLock: WriterFileLock? = nil, logger: Logger, connection: @escaping @Sendable () -> any SQLDatabase) {
        self.lock = lock
        self.fileLock = fileLock
        self.logger = logger
        self.connection = connection
    }

    /// Runs `body` in a transaction of the next batch and returns once that batch is committed.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(run: { sql in
                do {
                    try await sql.raw("SAVEPOINT gomart_transaction").run()
                } catch {
                    return Outcome(answer: { _ in continuation.resume(throwing: error) }, poisoned: true)
                }
                do {
                    // Not released: the batch's `COMMIT` releases every savepoint, and
                    // `ROLLBACK TO` goes back to the newest one of the name, this transaction's
                    // own. A release would be one more trip to the writer's thread.
                    let value = try await body(sql)
                    return Outcome(answer: { commitError in
                        if let commitError { continuation.resume(throwing: commitError) } else { continuation.resume(returning: value) }
                    }, poisoned: false)
                } catch {
                    do {
                        try await sql.raw("ROLLBACK TO gomart_transaction").run()
                        return Outcome(answer: { _ in continuation.resume(throwing: error) }, poisoned: false)
                    } catch {
                        return Outcome(answer: { _ in continuation.resume(throwing: error) }, poisoned: true)
                    }
                }
            }, fail: { error in continuation.resume(throwing: error) })
            let queued = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.queue.append(job)
                return true
            }
            if queued {
                wakeUps.continuation.yield()
            } else {
                job.fail(StorageError.closed)
            }
        }
    }

    /// Commits batches as transactions arrive, until ``stop()``; transactions still queued then
    /// fail with ``StorageError/closed``.
    func run() async {
        for await _ in wakeUps.stream {
            await drain()
        }
        let abandoned = state.withLock { state -> [Job] in
            state.stopped = true
            defer { state.queue = [] }
            return state.queue
        }
        for job in abandoned { job.fail(StorageError.closed) }
    }

    /// Ends ``run()`` once the batch in hand is committed.
    func stop() {
        wakeUps.continuation.finish()
    }

    /// Commits batches until the queue is empty.
    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Job] in
                let batch = Array(state.queue.prefix(Self.maximumBatch))
                state.queue.removeFirst(batch.count)
                return batch
            }
            guard !batch.isEmpty else { return }
            await run(batch)
        }
    }

    private func run(_ batch: [Job]) async {
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(batch.count)
        var began = false
        let commitError: (any Error)?
        do {
            commitError = try await lock.withLock { () async throws -> (any Error)? in
                guard let fileLock else { return try await commit(batch, began: &began, outcomes: &outcomes) }
                return try await fileLock.withLock { try await commit(batch, began: &began, outcomes: &outcomes) }
            }
        } catch {
            commitError = error
        }
        guard began, let failure = commitError else {
            for outcome in outcomes { outcome.answer(commitError) }
            if !began, let commitError { for job in batch { job.fail(commitError) } }
            return
        }
        for outcome in outcomes { outcome.answer(failure) }
        // Transactions that never ran because another one broke the batch get another chance.
        let unrun = Array(batch.dropFirst(outcomes.count))
        if !unrun.isEmpty {
            state.withLock { state in state.queue.insert(contentsOf: unrun, at: 0) }
        }
    }

    /// Runs `batch` between `BEGIN IMMEDIATE` and `COMMIT`; returns why the commit failed, if it did.
    private func commit(_ batch: [Job], began: inout Bool, outcomes: inout [Outcome]) async throws -> (any Error)? {
        let sql = connection()
        try await sql.raw("BEGIN IMMEDIATE").run()
        began = true
        for job in batch {
            let outcome = await job.run(sql)
            outcomes.append(outcome)
            if outcome.poisoned { break }
        }
        if outcomes.contains(where: \.poisoned) {
            try? await sql.raw("ROLLBACK").run()
            return StorageError.transactionAborted
        }
        do {
            try await sql.raw("COMMIT").run()
            return nil
        } catch {
            do {
                try await sql.raw("ROLLBACK").run()
            } catch let rollbackError {
                logger.error("rollback failed", metadata: ["error": "\(rollbackError)"])
            }
            return error
        }
    }
}
