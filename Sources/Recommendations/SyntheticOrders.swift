import Foundation

/// A synthetic but structured order history: shoppers with favourite aisles, brands and price
/// levels who buy staples again and try things like them, so evaluations and the demo shop have
/// real signal.
public enum SyntheticOrders {
    /// One synthetic order: whose (a shopper's number), when, and which items (positions in the
    /// item list) in what quantities.
    public struct Order: Sendable, Hashable {
        public var shopper: Int
        /// Seconds since 1970.
        public var time: Int64
        public var lines: [Line]

        public struct Line: Sendable, Hashable {
            public var item: Int
            public var quantity: Int
        }
    }

    /// A shopper's tastes: three favourite aisles (repeats allowed), a price level (the share of
    /// the way up each aisle's price range they buy at) and four staples.
    struct Shopper {
        let favourites: [String]
        let level: Double
        var staples: [Int] = []

        init(aisles: [String], byAisle: [String: [Int]], items: [ItemRecord], using generator: inout SeededRandom) {
            favourites = (0..<3).map { _ in aisles[Int(generator.next() % UInt64(aisles.count))] }
            level = Double(generator.next() % 1_000) / 1_000
            staples = (0..<4).map { _ in pick(byAisle: byAisle, items: items, using: &generator) }
        }

        /// An item from one of the favourite aisles, near the shopper's price level.
        func pick(byAisle: [String: [Int]], items: [ItemRecord], using generator: inout SeededRandom) -> Int {
            let aisle = favourites[Int(generator.next() % 3)]
            let pool = byAisle[aisle, default: []].sorted { items[$0].priceMinor < items[$1].priceMinor }
            let centre = Int(level * Double(pool.count - 1))
            let spread = max(1, pool.count / 8)
            let offset = Int(generator.next() % UInt64(2 * spread + 1)) - spread
            return pool[min(max(centre + offset, 0), pool.count - 1)]
        }

        /// One basket: each staple with probability 0.6, and two to four tries.
        func basket(byAisle: [String: [Int]], items: [ItemRecord], using generator: inout SeededRandom) -> [Order.Line] {
            var basket = Set<Int>()
            for staple in staples where generator.next() % 100 < 60 { basket.insert(staple) }
            let tries = 2 + Int(generator.next() % 3)
            for _ in 0..<tries { basket.insert(pick(byAisle: byAisle, items: items, using: &generator)) }
            return basket.sorted().map { Order.Line(item: $0, quantity: 1 + Int(generator.next() % 3)) }
        }
    }

    /// Order lines of `customers` shoppers with two to six orders each, one after another in
    /// time, keyed `synthetic-NNNNNN`: for scoring a model on a shop without orders yet.
    public static func generate(items: [ItemRecord], customers: Int, ordersPerCustomer: ClosedRange<Int> = 2...6, seed: UInt64 = 2026,
                                startTime: Int64 = 1_760_000_000) -> [OrderLineRecord] {
        guard !items.isEmpty else { return [] }
        var generator = SeededRandom(seed: seed)
        let byAisle = Dictionary(grouping: items.indices, by: { items[$0].aisle })
        let aisles = byAisle.keys.sorted()
        var lines: [OrderLineRecord] = []
        var clock = startTime
        for customer in 0..<customers {
            let key = String(format: "synthetic-%06d", customer)
            let shopper = Shopper(aisles: aisles, byAisle: byAisle, items: items, using: &generator)
            let orderCount = ordersPerCustomer.lowerBound + Int(generator.next() % UInt64(ordersPerCustomer.count))
            for number in 0..<orderCount {
                clock += 3_600 + Int64(generator.next() % 86_400)
                for line in shopper.basket(byAisle: byAisle, items: items, using: &generator) {
                    lines.append(OrderLineRecord(order: "\(key)-\(number)", customer: key, time: clock, product: items[line.item].id,
                                                 quantity: line.quantity))
                }
            }
        }
        return lines
    }

    /// Exactly `orders` orders shared as evenly as possible among `shoppers` shoppers, each
    /// shopper's orders at random times within the `days` before `endTime`, oldest first: a demo
    /// shop's history.
    public static func history(items: [ItemRecord], orders: Int, shoppers: Int, endTime: Int64, days: Int = 120, seed: UInt64 = 2026) -> [Order] {
        guard !items.isEmpty, orders > 0, shoppers > 0 else { return [] }
        var generator = SeededRandom(seed: seed)
        let byAisle = Dictionary(grouping: items.indices, by: { items[$0].aisle })
        let aisles = byAisle.keys.sorted()
        let span = UInt64(max(days, 1) * 86_400)
        var history: [Order] = []
        history.reserveCapacity(orders)
        for number in 0..<shoppers {
            let shopper = Shopper(aisles: aisles, byAisle: byAisle, items: items, using: &generator)
            let count = orders / shoppers + (number < orders % shoppers ? 1 : 0)
            let times = (0..<count).map { _ in endTime - Int64(span) + Int64(generator.next() % span) }.sorted()
            for time in times {
                history.append(Order(shopper: number, time: time, lines: shopper.basket(byAisle: byAisle, items: items, using: &generator)))
            }
        }
        return history
    }
}
