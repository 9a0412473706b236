import Cart
import Catalog
import Foundation
import GoMartModels
import Storage
import TestSupport
import Testing

/// Two processes' worth of cart services over one database, each with its own change feed reader
/// and count cache, as two web instances have.
struct TwoInstances {
    let fixture: CartFixture
    let feeds: (ChangeFeed, ChangeFeed)
    let carts: (CartService, CartService)

    static func make() async throws -> TwoInstances {
        let fixture = try await CartFixture.make()
        let feeds = (TestFeed.make(fixture.database), TestFeed.make(fixture.database))
        let carts = (CartService(database: fixture.database, catalog: fixture.catalog, policy: CartPolicy(), feed: feeds.0),
                     CartService(database: fixture.database, catalog: fixture.catalog, policy: CartPolicy(), feed: feeds.1))
        try await feeds.0.poll()
        try await feeds.1.poll()
        return TwoInstances(fixture: fixture, feeds: feeds, carts: carts)
    }
}

@Suite struct CartCountCacheTests {
    let visitor = CartOwner.visitor(key: "visitor-cache")

    @Test func aChangeOnOneInstanceReachesAnothersCachedCountWithItsNextPoll() async throws {
        let shop = try await TwoInstances.make()
        let bread = try await shop.fixture.product(in: "bakery")
        #expect(try await shop.carts.1.itemCount(for: visitor) == 0) // now cached on the second instance

        try await shop.carts.0.add(productID: bread.id, quantity: 2, to: visitor)
        #expect(try await shop.carts.0.itemCount(for: visitor) == 2) // the instance that changed it knows at once
        #expect(try await shop.carts.1.itemCount(for: visitor) == 0) // the other serves its cache until it reads the feed
        try await shop.feeds.1.poll()
        #expect(try await shop.carts.1.itemCount(for: visitor) == 2)
        await shop.fixture.database.close()
    }

    @Test func aShopperNeverSeesAStaleCountAfterTheirOwnChangeWhicheverInstanceAnswers() async throws {
        let shop = try await TwoInstances.make()
        let bread = try await shop.fixture.product(in: "bakery")
        #expect(try await shop.carts.1.itemCount(for: visitor) == 0)

        // The change is made on the first instance; its answer carries the change's feed id.
        let visit = ChangeFeed.Visit(seen: nil)
        try await ChangeFeed.$current.withValue(visit) {
            try await shop.carts.0.add(productID: bread.id, quantity: 3, to: visitor)
        }
        let written = try #require(visit.written)

        // The shopper's next page comes from the second instance, which has not read the feed yet.
        let count = try await ChangeFeed.$current.withValue(ChangeFeed.Visit(seen: written)) {
            try await shop.carts.1.itemCount(for: visitor)
        }
        #expect(count == 3)
        await shop.fixture.database.close()
    }

    @Test func signingInMovesTheVisitorsCountToTheCustomerOnEveryInstance() async throws {
        let shop = try await TwoInstances.make()
        let bread = try await shop.fixture.product(in: "bakery")
        let customer = CartOwner.customer(id: CustomerID(42))
        try await shop.carts.0.add(productID: bread.id, quantity: 1, to: visitor)
        try await shop.feeds.1.poll()
        #expect(try await shop.carts.1.itemCount(for: visitor) == 1)
        #expect(try await shop.carts.1.itemCount(for: customer) == 0)

        try await shop.carts.0.mergeVisitorCart(visitor, into: customer)
        try await shop.feeds.1.poll()
        #expect(try await shop.carts.1.itemCount(for: visitor) == 0)
        #expect(try await shop.carts.1.itemCount(for: customer) == 1)
        await shop.fixture.database.close()
    }
}
