import Accounts
import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Mail
@testable import Notifications
import Lists
import Payments
import Pricing
import Promotions
import SQLKit
import Security
import Slots
import Storage
import Synchronization
import TestSupport
import Testing

/// A mail transport that keeps what it is given, and fails when told to.
final class RecordingTransport: MailTransport {
    private let state = Mutex<(sent: [MailMessage], failure: MailError?)>(([], nil))

    var sent: [MailMessage] { state.withLock { $0.sent } }

    /// Forgets what was sent so far.
    func clear() { state.withLock { $0.sent = [] } }

    /// Every send from now on fails with `failure` (nil: succeeds).
    func fail(with failure: MailError?) { state.withLock { $0.failure = failure } }

    func send(_ message: MailMessage) async throws {
        try state.withLock {
            if let failure = $0.failure { throw failure }
            $0.sent.append(message)
        }
    }
}

/// A shop with accounts and notifications over one database, on a test clock.
struct NotifyingShop {
    let shop: TestShop
    let accounts: AccountsService
    let mailbox: RecordingTransport
    let notifications: Notifications
    var clock: TestAccounts.Clock { shop.clock }
    var store: MessageStore { notifications.store }

    static func make(attempts: Int = 3) async throws -> NotifyingShop {
        let shop = try await TestShop.make()
        let vault = PersonalDataVault(keys: try SecretKeys.resolve(configuredBase64: nil, source: "test", keyFilePath: nil))
        let accounts = AccountsService(repository: AccountsRepository(database: shop.database), vault: vault, hasher: PasswordHasher(cost: 4),
                                       passwordPolicy: try PasswordPolicy.load(), now: { shop.clock.now })
        var settings = NotificationSettings(shopName: "GoMart", publicURL: "https://shop.example/", from: MailAddress("orders@shop.example", name: "GoMart"))
        settings.maxAttempts = attempts
        settings.retryBaseSeconds = 30
        let mailbox = RecordingTransport()
        let composer = try EmailComposer(settings: settings, accounts: accounts, fulfilment: shop.fulfilment, vault: vault)
        let notifications = Notifications(store: MessageStore(database: shop.database), settings: settings, composer: composer,
                                          fulfilment: shop.fulfilment, mail: mailbox, logger: TestDatabase.logger, random: { $0.upperBound })
        return NotifyingShop(shop: shop, accounts: accounts, mailbox: mailbox, notifications: notifications)
    }

    var sentMail: [MailMessage] { mailbox.sent }
    func failSends(with failure: MailError?) { mailbox.fail(with: failure) }

    /// Every message, oldest first.
    func allMessages() async throws -> [NotificationMessage] {
        try await shop.database.read { sql in
            try await sql.select().column(SQLRaw(MessageStore.columns)).from("notification_messages").orderBy("id").all().map(MessageStore.message)
        }
    }

    /// A new customer, whose welcome e-mail (with its confirmation link) is sent and forgotten.
    func signUp(_ name: String = "Ann Smith", email: String = "ann@example.com") async throws -> Customer {
        let customer = try await accounts.signUp(SignUpForm(name: name, email: email, password: "correct horse battery")).customer
        let round = try await notifications.runRound(now: clock.now)
        guard round.sent == 1, mailbox.sent.map(\.subject) == ["Confirm your e-mail for GoMart"] else { throw WelcomeMissing() }
        mailbox.clear()
        return customer
    }

    struct WelcomeMissing: Error {}

    /// A paid order of two products for `customer`.
    func paidOrder(for customer: Customer, card number: String = "4242 4242 4242 4242") async throws -> PlacedOrder {
        for (index, quantity) in [3, 1].enumerated() {
            let product = try await shop.product(skip: index)
            try await shop.cart.add(productID: product.id, quantity: quantity, to: .customer(id: customer.internalID))
        }
        return try await shop.checkout.placeOrder(
            customerID: customer.internalID,
            delivery: DeliveryDetails(name: "Ann Smith", line1: "1 Orchard Lane", city: "Leeds", postcode: "LS1 4AP", phone: "07700 900001"),
            card: CardDetails(number: number, expiryMonth: 12, expiryYear: 2030, cvc: "123"), idempotencyKey: UUID().uuidString
        )
    }

    @discardableResult
    func round() async throws -> Notifications.Round {
        try await notifications.runRound(now: clock.now)
    }
}

@Suite struct OrderMailTests {
    @Test func aPaidOrderSendsOneConfirmationWithItsLinesTotalsAndAddress() async throws {
        let fixture = try await NotifyingShop.make()
        let customer = try await fixture.signUp()
        let placed = try await fixture.paidOrder(for: customer)
        let order = placed.order

        let round = try await fixture.round()
        #expect(round == Notifications.Round(dispatched: 2, sent: 1, failed: 0, dead: 0))
        let mail = try #require(fixture.sentMail.first)
        #expect(fixture.sentMail.count == 1)
        #expect(mail.to == [MailAddress("ann@example.com", name: "Ann Smith")])
        #expect(mail.from == MailAddress("orders@shop.example", name: "GoMart"))
        #expect(mail.subject == "Your GoMart order \(order.number) is confirmed")
        let lines = order.lines.map { "\($0.quantity) x \($0.name) (\($0.packSize))  \($0.lineTotal.formatted)" }
        #expect(mail.text == """
            Thank you for your order

            Hello Ann,

            We have your order \(order.number) and have reserved \(order.total.formatted) on your card, Visa ending 4242. You pay only for what we pick, when we pack your order. We will let you know when we start picking it.

            \(lines.joined(separator: "\n"))

            Subtotal: \(order.subtotal.formatted)
            Delivery: \(order.deliveryFee.formatted)
            Total: \(order.total.formatted)

            Delivering to:
            Ann Smith
            1 Orchard Lane
            Leeds
            LS1 4AP

            View your order \(order.number): https://shop.example/orders/\(order.id.publicString)

            --
            You get this e-mail because you have an account at GoMart (https://shop.example).

            """)
        #expect(mail.html?.contains("<h1 style=\"font-size:22px;margin:0 0 16px\">Thank you for your order</h1>") == true)
        // The same id on every attempt, so a receiver can drop a repeat.
        let message = try #require(try await fixture.allMessages().last)
        #expect(mail.messageID == "order_confirmation.\(message.id)@shop.example")
        #expect(message.state == .sent)

        // Nothing more to do: a second round sends nothing again.
        #expect(try await fixture.round() == Notifications.Round())
        #expect(fixture.sentMail.count == 1)
        await fixture.shop.close()
    }

    @Test func aShopperWaitingForAProductHearsOnceThatItIsBack() async throws {
        let fixture = try await NotifyingShop.make()
        let customer = try await fixture.signUp()
        let shop = fixture.shop
        let lists = ListsService(database: shop.database, catalog: shop.catalog, cart: shop.cart, now: { shop.clock.now })
        let product = try await shop.product()
        try await shop.setStock(product, to: 0)
        try await lists.requestAlert(for: product.id, customerID: customer.internalID)
        try await shop.setStock(product, to: 5)
        #expect(try await lists.notifyBackInStock() == 1)
        try await fixture.round()
        #expect(try await lists.notifyBackInStock() == 0)
        try await fixture.round()
        #expect(fixture.sentMail.map(\.subject) == ["\(product.name) is back in stock at GoMart"])
        let mail = try #require(fixture.sentMail.first)
        #expect(mail.text.contains("You asked us to tell you when \(product.name) (\(product.packSize)) was back. It is in stock now, while it lasts."))
        #expect(mail.text.contains("https://shop.example/products/\(product.slug)"))
        await shop.close()
    }

    @Test func theConfirmationNamesEachSaving() async throws {
        let fixture = try await NotifyingShop.make()
        let customer = try await fixture.signUp()
        let product = try await fixture.shop.product()
        try await fixture.shop.promotions.createOffer(OfferDraft(label: "3 for 2 on this", rule: .multiBuy(buy: 3, pay: 2),
                                                                 groups: [Offer.Scope(products: [product.id])], startsAt: fixture.clock.now,
                                                                 endsAt: fixture.clock.now.addingTimeInterval(86_400)), by: "test")
        let order = try await fixture.paidOrder(for: customer).order
        try await fixture.round()
        let mail = try #require(fixture.sentMail.first)
        #expect(mail.text.contains("Subtotal: \(order.subtotal.formatted)\n3 for 2 on this: -\(product.price.formatted)\nDelivery: "))
        await fixture.shop.close()
    }

    @Test func aChangedOrderSendsWhatChangedAndTheNewTotal() async throws {
        let fixture = try await NotifyingShop.make()
        let customer = try await fixture.signUp()
        let placed = try await fixture.paidOrder(for: customer)
        let line = try #require(placed.order.lines.first)
        let changed = try await fixture.shop.checkout.amend(placed.order.id, customerID: customer.internalID,
                                                            to: [StockItem(productID: line.productID, quantity: 5)], version: 0)
        try await fixture.round()
        #expect(fixture.sentMail.map(\.subject) == ["Your GoMart order \(placed.order.number) is confirmed", "Your order \(placed.order.number) is changed"])
        let mail = try #require(fixture.sentMail.last)
        #expect(mail.text.contains("We have changed order \(placed.order.number) as you asked: \(line.name) 3 → 5. The new total is \(changed.total.formatted); "
            + "you pay only for what we pick, when we pack your order.\n\nYou can change it again on your order page until we start picking it."))
        #expect(mail.text.contains("5 x \(line.name) (\(line.packSize))"))
        await fixture.shop.close()
    }

    @Test func aDeclinedCardSendsNothingButCancellingAPaidOrderSendsTheRefund() async throws {
        let fixture = try await NotifyingShop.make()
        let customer = try await fixture.signUp()
        _ = try? await fixture.paidOrder(for: customer, card: "4000 0000 0000 0002")
        try await fixture.round()
        #expect(fixture.sentMail.isEmpty)

        let placed = try await fixture.paidOrder(for: customer)
        _ = try await fixture.shop.fulfilment.move(placed.order.id, .cancel, by: .customer)
        try await fixture.round()
        #expect(fixture.sentMail.map(\.subject) == [
            "Your GoMart order \(placed.order.number) is confirmed", "Your order \(placed.order.number) is cancelled",
        ])
        #expect(fixture.sentMail.last?.text.contains("Order \(placed.order.number) is cancelled. Nothing was charged: the \(placed.order.total.formatted) reserved on your card is released.") == true)
        await fixture.shop.close()
    }

    @Test func anErasedCustomerGetsNothingAndTheMessageSaysWhy() async throws {
        let fixture = try await NotifyingShop.make()
        let customer = try await fixture.signUp()
        _ = try await fixture.paidOrder(for: customer)
        try await fixture.shop.database.transaction { sql in _ = try await fixture.accounts.erase(customer.internalID, in: sql) }
        let round = try await fixture.round()
        #expect(round.dead == 1)
        #expect(fixture.sentMail.isEmpty)
        let dead = try await fixture.store.troubled()
        #expect(dead.map(\.state) == [.dead])
        #expect(dead.first?.lastError == "the customer's personal data was erased")
        await fixture.shop.close()
    }
}

@Suite struct DeliveryRulesTests {
    @Test func failuresAreRetriedWithDoublingDelaysThenDeadThenSentAgainByHand() async throws {
        let fixture = try await NotifyingShop.make(attempts: 3)
        let customer = try await fixture.signUp()
        _ = try await fixture.paidOrder(for: customer)
        fixture.failSends(with: MailError("cannot connect to the SMTP server"))
        let start = Int64(fixture.clock.now.timeIntervalSince1970)

        #expect(try await fixture.round().failed == 1)
        var message = try #require(try await fixture.store.troubled().first)
        #expect(message.attempts == 1)
        #expect(message.nextAttemptAt == start + 30)
        #expect(message.lastError == "cannot connect to the SMTP server")

        fixture.clock.advance(by: 29)
        #expect(try await fixture.round() == Notifications.Round())
        fixture.clock.advance(by: 1)
        #expect(try await fixture.round().failed == 1)
        message = try #require(try await fixture.store.troubled().first)
        #expect(message.nextAttemptAt == start + 30 + 60)

        fixture.clock.advance(by: 60)
        #expect(try await fixture.round().dead == 1)
        message = try #require(try await fixture.store.troubled().first)
        #expect(message.state == .dead)
        #expect(message.attempts == 3)

        // Staff send it again once the server is back.
        fixture.failSends(with: nil)
        #expect(try await fixture.store.retry(message.id, now: Int64(fixture.clock.now.timeIntervalSince1970)))
        #expect(try await fixture.round().sent == 1)
        #expect(fixture.sentMail.count == 1)
        #expect(try await fixture.store.troubled().isEmpty)
        await fixture.shop.close()
    }

    @Test func aPermanentRefusalIsDeadAtOnce() async throws {
        let fixture = try await NotifyingShop.make(attempts: 8)
        let customer = try await fixture.signUp()
        _ = try await fixture.paidOrder(for: customer)
        fixture.failSends(with: MailError("the SMTP server answered RCPT with 550 5.1.1 <address>: no such mailbox", permanent: true))
        #expect(try await fixture.round().dead == 1)
        #expect(try await fixture.store.troubled().first?.attempts == 1)
        await fixture.shop.close()
    }

    @Test func retryDelaysDoubleUpToTheCapAndSpreadOverTheirUpperHalf() async throws {
        let fixture = try await NotifyingShop.make()
        #expect((1...8).map { fixture.notifications.retryDelay(attempt: $0) } == [30, 60, 120, 240, 480, 960, 1_920, 3_600])
        let spread = Notifications(store: fixture.store, settings: fixture.notifications.settings, composer: fixture.notifications.composer,
                                   fulfilment: fixture.shop.fulfilment, mail: RecordingTransport(), logger: TestDatabase.logger, random: { $0.lowerBound })
        #expect(spread.retryDelay(attempt: 3) == 60)
        await fixture.shop.close()
    }

    @Test func aClaimedMessageIsNobodyElsesUntilItsLeaseEnds() async throws {
        let fixture = try await NotifyingShop.make()
        let customer = try await fixture.signUp()
        _ = try await fixture.paidOrder(for: customer)
        let now = Int64(fixture.clock.now.timeIntervalSince1970)
        _ = try await fixture.store.dispatch(limit: 10, now: now) { try await fixture.notifications.plan($0) }
        // A worker claims it, then dies before sending.
        #expect(try await fixture.store.claim(limit: 10, now: now, leaseSeconds: 120).count == 1)
        #expect(try await fixture.store.claim(limit: 10, now: now + 119, leaseSeconds: 120).isEmpty)
        let again = try await fixture.store.claim(limit: 10, now: now + 120, leaseSeconds: 120)
        #expect(again.map(\.message.attempts) == [2])
        await fixture.shop.close()
    }

    @Test func dispatchingAnEventTwiceMakesNoSecondMessage() async throws {
        let fixture = try await NotifyingShop.make()
        let customer = try await fixture.signUp()
        _ = try await fixture.paidOrder(for: customer)
        try await fixture.round()
        // As if the dispatches (the welcome, the order's two events) had not been recorded (a crash between the insert and the mark).
        try await fixture.shop.database.transaction { sql in
            try await sql.update("outbox").set("delivered_at", to: SQLLiteral.null).run()
        }
        #expect(try await fixture.round().dispatched == 3)
        #expect(fixture.sentMail.count == 1)
        await fixture.shop.close()
    }

    @Test func twoWorkersSendEveryMessageExactlyOnce() async throws {
        let fixture = try await NotifyingShop.make()
        let customer = try await fixture.signUp()
        let count = 1_000
        try await fixture.shop.database.transaction { sql in
            for _ in 0..<count {
                try await Outbox.append(topic: "account_taken", aggregateID: customer.id.publicString,
                                        payload: ["customer_id": String(customer.internalID.rawValue)], now: 1_800_000_000, in: sql)
            }
        }
        let second = RecordingTransport()
        let other = Notifications(store: fixture.store, settings: fixture.notifications.settings, composer: fixture.notifications.composer,
                                  fulfilment: fixture.shop.fulfilment, mail: second, logger: TestDatabase.logger)
        let now = fixture.clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in [fixture.notifications, other] {
                group.addTask {
                    while try await worker.runRound(now: now).didWork {}
                }
            }
            try await group.waitForAll()
        }
        let ids = (fixture.sentMail + second.sent).map(\.messageID)
        #expect(ids.count == count)
        #expect(Set(ids).count == count)
        await fixture.shop.close()
    }
}

@Suite struct AccountMailTests {
    @Test func aPasswordResetSendsItsLinkWhichSetsTheNewPassword() async throws {
        let fixture = try await NotifyingShop.make()
        let customer = try await fixture.signUp()
        let issued = try #require(try await fixture.accounts.passwordReset.request(email: "ann@example.com"))
        try await fixture.round()
        let mail = try #require(fixture.sentMail.first)
        #expect(mail.subject == "Reset your GoMart password")
        #expect(mail.to == [MailAddress("ann@example.com", name: customer.name)])
        #expect(mail.text.contains("Choose a new password: https://shop.example/account/password/reset?token=\(issued.token)\n"))
        // The token is in the e-mail, never in clear in the database.
        let stored = try await fixture.shop.database.read { sql in
            try await sql.select().column("payload").from("outbox").where("topic", .equal, SQLBind("password_reset")).all()
                .map { try $0.decode(column: "payload", as: String.self) }
        }
        #expect(stored.count == 1)
        #expect(stored.first?.contains(issued.token) == false)
        try await fixture.accounts.passwordReset.complete(token: issued.token, newPassword: "a brand new secret")
        _ = try await fixture.accounts.signIn(email: "ann@example.com", password: "a brand new secret")
        await fixture.shop.close()
    }

    @Test func aResetLinkThatExpiredBeforeItCouldBeSentIsNotSent() async throws {
        let fixture = try await NotifyingShop.make()
        _ = try await fixture.signUp()
        _ = try await fixture.accounts.passwordReset.request(email: "ann@example.com")
        fixture.clock.advance(by: PasswordReset.lifetime)
        #expect(try await fixture.round().dead == 1)
        #expect(fixture.sentMail.isEmpty)
        #expect(try await fixture.store.troubled().first?.lastError == "the link expired before it could be sent")
        await fixture.shop.close()
    }
}

/// A text message provider that keeps what it is given.
final class RecordingSMS: SMSProvider {
    private let state = Mutex<[SMSMessage]>([])
    var sent: [SMSMessage] { state.withLock { $0 } }
    func send(_ message: SMSMessage) async throws { state.withLock { $0.append(message) } }
}

@Suite struct UpdateChannelTests {
    /// A shop whose worker also sends texts, to a recording provider.
    static func texting(_ fixture: NotifyingShop) -> (Notifications, RecordingSMS) {
        let texts = RecordingSMS()
        let notifications = Notifications(store: fixture.store, settings: fixture.notifications.settings, composer: fixture.notifications.composer,
                                          fulfilment: fixture.shop.fulfilment, mail: fixture.mailbox, sms: texts, logger: TestDatabase.logger)
        return (notifications, texts)
    }

    static let driver = OrderActor.staff(id: "driver-1")

    static func outForDelivery(_ fixture: NotifyingShop, _ order: Order) async throws {
        try await fixture.shop.fulfilment.move(order.id, .startPicking, by: driver)
        try await fixture.shop.fulfilment.pack(order.id, picked: nil, by: driver)
        try await fixture.shop.fulfilment.move(order.id, .dispatch, by: driver)
    }

    @Test func bothChannelsGiveAnEMailWithAOneClickUnsubscribeAndAText() async throws {
        let fixture = try await NotifyingShop.make()
        let (notifications, texts) = Self.texting(fixture)
        let customer = try await fixture.accounts.signUp(SignUpForm(name: "Ann Smith", email: "ann@example.com", password: "correct horse battery",
                                                                    phone: "07700 900001")).customer
        try await fixture.accounts.setUpdateChannels(.both, for: customer, smsAvailable: true)
        let placed = try await fixture.paidOrder(for: customer)
        try await Self.outForDelivery(fixture, placed.order)
        try await notifications.runRound(now: fixture.clock.now)

        #expect(fixture.sentMail.map(\.subject) == [
            "Confirm your e-mail for GoMart", "Your GoMart order \(placed.order.number) is confirmed",
            "We are picking your order \(placed.order.number)", "Your order \(placed.order.number) is on its way",
        ])
        let update = try #require(fixture.sentMail.last)
        let link = "https://shop.example/account/unsubscribe?customer=\(customer.id.publicString)&token=\(fixture.accounts.unsubscribeToken(for: customer.id))"
        #expect(update.headers.map { $0.name } == ["List-Unsubscribe", "List-Unsubscribe-Post"])
        #expect(update.headers.map { $0.value } == ["<\(link)>", "List-Unsubscribe=One-Click"])
        #expect(fixture.sentMail[1].headers.isEmpty)
        #expect(texts.sent.map(\.body) == ["GoMart: your order \(placed.order.number) is on its way to LS1 4AP and will be with you soon."])
        #expect(texts.sent.first?.to == "07700 900001")

        // The link stops the e-mails; the texts go on.
        #expect(try await fixture.accounts.unsubscribeFromUpdateEmails(customerID: customer.id, token: fixture.accounts.unsubscribeToken(for: customer.id)))
        #expect(try await fixture.accounts.updateChannels(of: customer.internalID)?.channels == .sms)
        #expect(try await fixture.accounts.unsubscribeFromUpdateEmails(customerID: customer.id, token: "forged") == false)
        try await fixture.shop.fulfilment.move(placed.order.id, .deliver, by: Self.driver)
        try await notifications.runRound(now: fixture.clock.now)
        #expect(fixture.sentMail.count == 4)
        #expect(texts.sent.map(\.body).last == "GoMart: your order \(placed.order.number) was delivered. Thank you!")
        await fixture.shop.close()
    }

    @Test func aSlottedOrdersTextGivesItsWindowAndThePickingMailWhatTheShopperAskedForIfSomethingIsMissing() async throws {
        let fixture = try await NotifyingShop.make()
        let (notifications, texts) = Self.texting(fixture)
        let customer = try await fixture.accounts.signUp(SignUpForm(name: "Ann Smith", email: "ann.slot@example.com", password: "correct horse battery",
                                                                    phone: "07700 900001")).customer
        try await fixture.accounts.setUpdateChannels(.both, for: customer, smsAvailable: true)
        let slots = fixture.shop.checkout.slots
        let place = try await slots.save(SlotPlace(code: "leeds", method: .delivery, name: "Leeds", postcodePrefixes: ["LS1"]))
        for weekday in 1...7 {
            try await slots.save(SlotTemplate(placeID: place.id, weekday: weekday, startMinute: 600, endMinute: 720, capacity: 5,
                                              priceMinor: 350, freeFromMinor: nil, cutoffMinutes: 60))
        }
        let offered = try #require(try await slots.choices(method: .delivery, postcode: "LS1 4AP").first).slots
        _ = try await slots.book(offered[0].id, customerID: customer.internalID.rawValue)
        let first = try await fixture.shop.product(), second = try await fixture.shop.product(skip: 1)
        try await fixture.shop.cart.add(productID: first.id, quantity: 6, to: .customer(id: customer.internalID))
        try await fixture.shop.cart.add(productID: second.id, quantity: 1, to: .customer(id: customer.internalID))
        try await fixture.shop.cart.setSubstitution(productID: second.id, to: .none, for: .customer(id: customer.internalID))
        let placed = try await fixture.shop.checkout.placeOrder(
            customerID: customer.internalID,
            delivery: DeliveryDetails(name: "Ann Smith", line1: "1 Orchard Lane", city: "Leeds", postcode: "LS1 4AP", phone: "07700 900001"),
            card: CardDetails(number: "4242 4242 4242 4242", expiryMonth: 12, expiryYear: 2030, cvc: "123"), idempotencyKey: UUID().uuidString
        )
        let window = try #require(placed.order.slot?.window)
        try await Self.outForDelivery(fixture, placed.order)
        try await notifications.runRound(now: fixture.clock.now)

        let picking = try #require(fixture.sentMail.first { $0.subject == "We are picking your order \(placed.order.number)" })
        #expect(picking.text.contains("If an item is not on the shelf, you asked for 1 item: a similar product; 1 item: no substitute."))
        #expect(texts.sent.map(\.body) == ["GoMart: your order \(placed.order.number) is on its way to LS1 4AP and will be with you in your slot, \(window)."])
    }

    @Test func textsNeedAPhoneNumberAndAShopThatSendsThem() async throws {
        let fixture = try await NotifyingShop.make()
        let customer = try await fixture.signUp()
        await #expect(throws: AccountsError.invalidFields(["updates_by": "Text messages need a phone number on your account."])) {
            try await fixture.accounts.setUpdateChannels(.sms, for: customer, smsAvailable: true)
        }
        await #expect(throws: AccountsError.invalidFields(["updates_by": "This shop does not send text messages."])) {
            try await fixture.accounts.setUpdateChannels(.both, for: customer, smsAvailable: false)
        }
        // "None" stops updates, never the confirmation.
        try await fixture.accounts.setUpdateChannels(.none, for: customer, smsAvailable: false)
        let placed = try await fixture.paidOrder(for: customer)
        try await fixture.shop.fulfilment.move(placed.order.id, .startPicking, by: Self.driver)
        try await fixture.round()
        #expect(fixture.sentMail.map(\.subject) == ["Your GoMart order \(placed.order.number) is confirmed"])
        await fixture.shop.close()
    }
}
