import Accounts
import BackOffice
import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Logging
import Notifications
import Lists
import Payments
import Promotions
import Recommendations
import RecommendedProducts
import Security
import Slots
import Storage

/// The shop's domain services over one database: assembled here once, for the server and for
/// the command line alike.
public struct ShopServices: Sendable {
    public let catalog: CatalogService
    public let accounts: AccountsService
    public let cart: CartService
    public let checkout: CheckoutService
    /// The grocer's team: staff accounts, roles and sessions.
    public let staff: StaffService
    /// Everything after "paid": picking, delivery, cancellation, refunds.
    public let fulfilment: FulfilmentService
    /// Orders as staff work them, with role checks and the audit log.
    public let orderDesk: OrderDesk
    /// The catalogue as staff edit it, with role checks and the audit log.
    public let catalogueDesk: CatalogueDesk
    /// The dashboard's figures, for owners and managers.
    public let reportsDesk: ReportsDesk
    /// Customers as staff look after them: finding, exports and erasure.
    public let customerDesk: CustomerDesk
    /// What customers bought: training data and popularity.
    public let history: PurchaseHistory
    public let keys: SecretKeys
    /// The notices that keep per-process caches of sessions and cart counts exact.
    public let changes: ChangeFeed
    /// Messages to customers, as the outbox worker made them.
    public let messages: MessageStore
    /// Integrators' webhook endpoints.
    public let webhooks: Webhooks
    /// Delivery areas, collection points, slots and bookings.
    public let slots: SlotService
    /// Slots as managers set them up, with role checks and the audit log.
    public let slotDesk: SlotDesk
    /// Offers and vouchers.
    public let promotions: PromotionsService
    /// Customers' favourites, shopping lists and back-in-stock alerts.
    public let lists: ListsService
    /// Offers and vouchers as managers run them, with role checks and the audit log.
    public let promotionDesk: PromotionDesk

    /// Assembles the services `configuration` asks for over `database`.
    public init(configuration: GoMartConfiguration, database: Database, logger: Logger) throws {
        catalog = CatalogService(
            repository: SQLCatalogRepository(database: database),
            cache: CatalogCache(timeToLive: .seconds(configuration.caches.cacheTTLSeconds)),
            currency: configuration.shopping.currency
        )
        keys = try loadSecretKeys(configuration)
        changes = ChangeFeed(database: database)
        let feed = configuration.caches.shopperCache ? changes : nil
        accounts = AccountsService(
            repository: AccountsRepository(database: database),
            vault: PersonalDataVault(keys: keys),
            hasher: PasswordHasher(cost: configuration.accounts.passwordHashCost, pepper: keys.passwordPepper),
            passwordPolicy: try PasswordPolicy.load(),
            sessionPolicy: SessionPolicy(
                idleTimeout: TimeInterval(configuration.accounts.sessionIdleTimeoutSeconds),
                absoluteTimeout: TimeInterval(configuration.accounts.sessionAbsoluteTimeoutSeconds)
            ),
            throttlePolicy: configuration.accounts.signInThrottle, feed: feed,
            requiresEmailConfirmation: configuration.messaging.requireEmailVerification
        )
        promotions = PromotionsService(database: database, currency: configuration.shopping.currency)
        cart = CartService(database: database, catalog: catalog, policy: configuration.shopping.cartPolicy, feed: feed, promotions: promotions)
        history = PurchaseHistory(database: database, feed: feed)
        lists = ListsService(database: database, catalog: catalog, cart: cart, feed: feed)
        staff = StaffService(
            repository: StaffRepository(database: database), vault: PersonalDataVault(keys: keys),
            hasher: PasswordHasher(cost: configuration.accounts.passwordHashCost, pepper: keys.passwordPepper), passwordPolicy: try PasswordPolicy.load()
        )
        slots = SlotService(
            database: database, currency: configuration.shopping.currency, timeZone: configuration.orders.timeZone,
            holdDuration: TimeInterval(configuration.orders.slotHoldMinutes * 60), daysAhead: configuration.orders.slotDaysAhead,
            requirement: configuration.orders.slotRequirement, logger: logger, now: configuration.orders.slotClock
        )
        let payments: any PaymentProvider = if configuration.orders.paymentProvider == "stripe", let key = configuration.orders.stripeSecretKey {
            StripePaymentProvider(secretKey: key, baseURL: configuration.orders.stripeAPIURL)
        } else {
            SandboxPaymentProvider(database: database)
        }
        checkout = CheckoutService(
            database: database, catalog: catalog, cart: cart, payments: payments, slots: slots,
            vault: PersonalDataVault(keys: keys), pendingTimeout: TimeInterval(configuration.orders.pendingOrderTimeoutSeconds), logger: logger
        )
        fulfilment = FulfilmentService(checkout: checkout)
        orderDesk = OrderDesk(staff: staff, fulfilment: fulfilment, database: database)
        let catalogueAdmin = CatalogueAdmin(database: database, catalog: catalog)
        catalogueDesk = CatalogueDesk(staff: staff, admin: catalogueAdmin)
        reportsDesk = ReportsDesk(staff: staff, reports: SalesReports(database: database, currency: configuration.shopping.currency),
                                  catalogue: catalogueAdmin)
        messages = MessageStore(database: database)
        webhooks = Webhooks(store: WebhookStore(database: database), messages: messages, vault: PersonalDataVault(keys: keys),
                            addressGuard: WebhookAddressGuard(allowPrivate: configuration.messaging.webhookAllowPrivate))
        slotDesk = SlotDesk(staff: staff, slots: slots)
        promotionDesk = PromotionDesk(staff: staff, promotions: promotions, catalogue: catalogueAdmin)
        customerDesk = CustomerDesk(staff: staff, accounts: accounts, checkout: checkout, cart: cart, database: database)
    }
}

extension ShopServices {
    /// What ``seedDemoOrders(_:now:)`` recorded.
    public struct DemoOrders: Sendable {
        public var orders: Int
        public var shoppers: Int
    }

    /// Replaces the demo shoppers' order history with `count` paid orders made by the synthetic
    /// shoppers of ``Recommendations/SyntheticOrders`` (about four orders each, over the last 120
    /// days) from the catalogue as it is, creating the demo shoppers as needed. Repeating it
    /// gives the same history again, not more of it.
    public func seedDemoOrders(
        _ count: Int, now: Date = Date(), progress: @escaping @Sendable (_ written: Int, _ total: Int) -> Void = { _, _ in }
    ) async throws -> DemoOrders {
        let products = try await catalog.allProducts()
        guard !products.isEmpty else { return DemoOrders(orders: 0, shoppers: 0) }
        let shopperCount = max(1, (count + 3) / 4)
        let history = SyntheticOrders.history(items: products.map(ItemRecord.init), orders: count, shoppers: shopperCount,
                                              endTime: Int64(now.timeIntervalSince1970))
        let customers = try await accounts.ensureDemoShoppers(count: shopperCount)
        let orders = history.map { order in
            PastOrder(customerID: customers[order.shopper], paidAt: order.time,
                      lines: order.lines.map { (product: products[$0.item], quantity: $0.quantity) })
        }
        let recorded = try await checkout.replaceOrderHistory(of: customers, with: orders, progress: progress)
        return DemoOrders(orders: recorded, shoppers: shopperCount)
    }
}

extension ShopServices {
    /// The recommendation pipeline's input, as `gomart ml export` writes it: every product on sale,
    /// and every line of every paid order under a pseudonymous customer key (never personal data).
    public func trainingData(progress: (_ read: Int, _ total: Int) -> Void = { _, _ in }) async throws -> TrainingData {
        let items = try await catalog.allProducts(progress: progress).map(ItemRecord.init)
        let pseudonyms = Pseudonyms(keys: keys)
        let orders = try await history.paidLines().map {
            OrderLineRecord(order: $0.orderID, customer: pseudonyms.customer($0.customerID.rawValue), time: $0.paidAt, product: $0.productID, quantity: $0.quantity)
        }
        return TrainingData(items: items, orders: orders)
    }
}
