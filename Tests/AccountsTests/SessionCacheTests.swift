import Accounts
import Foundation
import SQLKit
import Storage
import TestSupport
import Testing

@Suite struct SessionCacheTests {
    /// Two instances' accounts services over one database, each with its own feed reader and cache.
    struct TwoInstances {
        let services: (AccountsService, AccountsService)
        let feeds: (ChangeFeed, ChangeFeed)
        let database: Database
        let clock: TestAccounts.Clock

        static func make(policy: SessionPolicy = SessionPolicy()) async throws -> TwoInstances {
            let (_, database, vault, clock) = try await TestAccounts.make(policy: policy)
            let feeds = (TestFeed.make(database), TestFeed.make(database))
            func service(_ feed: ChangeFeed) throws -> AccountsService {
                AccountsService(repository: AccountsRepository(database: database), vault: vault, hasher: PasswordHasher(cost: 4),
                                passwordPolicy: try PasswordPolicy.load(), sessionPolicy: policy, feed: feed, now: { clock.now })
            }
            try await feeds.0.poll()
            try await feeds.1.poll()
            return TwoInstances(services: (try service(feeds.0), try service(feeds.1)), feeds: feeds, database: database, clock: clock)
        }
    }

    @Test func signingOutEverywhereEndsTheSessionOnEveryInstanceWithItsNextPoll() async throws {
        let shop = try await TwoInstances.make()
        let issued = try await shop.services.0.signUp(AccountsServiceTests.ada)
        #expect(try await shop.services.1.session(token: issued.token)?.customer.name == "Ada Lovelace") // cached there now

        try await shop.services.0.signOutEverywhere(customerID: issued.customer.internalID)
        #expect(try await shop.services.0.session(token: issued.token) == nil)
        #expect(try await shop.services.1.session(token: issued.token) != nil) // until it reads the feed
        try await shop.feeds.1.poll()
        #expect(try await shop.services.1.session(token: issued.token) == nil)
        await shop.database.close()
    }

    @Test func signingOutOneSessionEndsItOnEveryInstanceWithItsNextPoll() async throws {
        let shop = try await TwoInstances.make()
        let issued = try await shop.services.0.signUp(AccountsServiceTests.ada)
        #expect(try await shop.services.1.session(token: issued.token) != nil)

        try await shop.services.0.signOut(token: issued.token)
        try await shop.feeds.1.poll()
        #expect(try await shop.services.1.session(token: issued.token) == nil)
        await shop.database.close()
    }

    @Test func aCachedSessionStillEndsWhenIdleTooLongAndIsTouchedOnTime() async throws {
        let shop = try await TwoInstances.make(policy: SessionPolicy(idleTimeout: 600, absoluteTimeout: 3600, touchInterval: 60))
        let issued = try await shop.services.0.signUp(AccountsServiceTests.ada)
        #expect(try await shop.services.1.session(token: issued.token) != nil)

        // Past the touch interval, the cached copy is not enough: the row is touched.
        shop.clock.advance(by: 120)
        #expect(try await shop.services.1.session(token: issued.token) != nil)
        let lastSeen = try await shop.database.read { sql in
            try await sql.raw("SELECT last_seen_at FROM sessions").first()?.decode(column: "last_seen_at", as: Int64.self)
        }
        #expect(lastSeen == Int64(shop.clock.now.timeIntervalSince1970))

        // Idle past the limit, the session ends even though both instances hold it in memory.
        #expect(try await shop.services.0.session(token: issued.token) != nil)
        shop.clock.advance(by: 601)
        #expect(try await shop.services.0.session(token: issued.token) == nil)
        #expect(try await shop.services.1.session(token: issued.token) == nil)
        await shop.database.close()
    }
}
