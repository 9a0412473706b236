import Accounts
import Cart
import Catalog
import Checkout
import Foundation
import GoMartModels
import Mail
import Mustache
import Pricing
import Security
import Storage

/// A message that can never be sent, whatever the retries: its recipient was erased, its link
/// expired, its order is gone. The message goes straight to the dead state with this reason.
public struct Undeliverable: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Writes the e-mails: Mustache templates (HTML and plain text) over data read at send time.
///
/// Personal data (the address, the name, the delivery details, a link's token) is read and
/// opened here, just before sending, and never stored with the message or logged.
public struct EmailComposer: Sendable {
    let settings: NotificationSettings
    let accounts: AccountsService
    let fulfilment: FulfilmentService
    let vault: PersonalDataVault
    let library: MustacheLibrary
    /// The shop's owners (name, address), for e-mails about the shop itself.
    let owners: @Sendable () async throws -> [MailAddress]

    /// Loads the templates bundled with this module; a missing one fails here, at start-up.
    public init(settings: NotificationSettings, accounts: AccountsService, fulfilment: FulfilmentService, vault: PersonalDataVault,
                owners: @escaping @Sendable () async throws -> [MailAddress] = { [] }) throws {
        self.owners = owners
        self.settings = settings
        self.accounts = accounts
        self.fulfilment = fulfilment
        self.vault = vault
        guard let directory = Bundle.module.resourceURL?.appendingPathComponent("Templates").path else {
            throw Undeliverable("the e-mail templates are missing from the build")
        }
        var library = MustacheLibrary()
        for name in ["order.html", "order.txt", "account.html", "account.txt"] {
            let text = try String(contentsOfFile: "\(directory)/\(name).mustache", encoding: .utf8)
            try library.register(text, named: name)
        }
        self.library = library
    }

    /// The e-mail to the shop's owners that a webhook endpoint was turned off.
    func composeForOwners(_ message: NotificationMessage, event: Outbox.Event, now: Date) async throws -> MailMessage {
        let owners = try await owners()
        guard !owners.isEmpty else { throw Undeliverable("the shop has no owner to tell") }
        let url = event.payload["url"] ?? "an endpoint"
        let view = AccountView(
            shopName: settings.shopName, subject: "A webhook endpoint of \(settings.shopName) was turned off", headline: "A webhook endpoint was turned off",
            paragraphs: ["Deliveries to \(url) failed \(event.payload["failures"] ?? "too many") times in a row, so GoMart stopped sending to it.",
                         "Events since then wait as failed deliveries. Fix the endpoint, then turn it back on in the back office; you can send the failed deliveries again from the Messages page."],
            action: .init(label: "Open the webhooks", url: "\(settings.publicURL)/admin/webhooks"), after: [],
            footer: "You get this e-mail because you own the shop \(settings.shopName) (\(settings.publicURL))."
        )
        let (text, html) = try render(view, "account")
        return MailMessage(from: settings.from, to: owners, subject: view.subject, text: text, html: html,
                           messageID: "webhook_disabled.\(message.id)@\(settings.host)", date: now)
    }

    /// The e-mail for `message`, made from `event`. Progress updates carry a one-click
    /// `List-Unsubscribe` (RFC 8058); everything else is transactional and carries none.
    func compose(_ message: NotificationMessage, event: Outbox.Event, now: Date) async throws -> MailMessage {
        let (kind, customer) = try await recipient(of: message)
        let unsubscribe = kind.isUpdate ? unsubscribeURL(customer) : nil
        let (subject, text, html) = kind.isAboutAnOrder
            ? try await orderMail(kind, event: event, customer: customer, unsubscribeURL: unsubscribe)
            : try accountMail(kind, event: event, customer: customer, now: now)
        return MailMessage(
            from: settings.from, to: [MailAddress(customer.email, name: customer.name)], subject: subject, text: text, html: html,
            messageID: "\(kind.rawValue).\(message.id)@\(settings.host)", date: now,
            headers: unsubscribe.map { [("List-Unsubscribe", "<\($0)>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")] } ?? []
        )
    }

    /// The text message for `message`: the short ones, out for delivery and delivered.
    func composeSMS(_ message: NotificationMessage, event: Outbox.Event) async throws -> SMSMessage {
        let (kind, customer) = try await recipient(of: message)
        guard let phone = customer.phone else { throw Undeliverable("the customer has no phone number") }
        let order = try await order(event)
        let body: String
        switch kind {
        case .orderOutForDelivery:
            // With a slot the shopper hears when: the window they booked.
            let when = order.slot.map { "in your slot, \($0.window)" } ?? "soon"
            body = "\(settings.shopName): your order \(order.number) is on its way to \(order.delivery.postcode) and will be with you \(when)."
        case .orderDelivered:
            body = "\(settings.shopName): your order \(order.number) was delivered. Thank you!"
        default:
            throw Undeliverable("no text message is written for \(kind.rawValue)")
        }
        return SMSMessage(to: phone, body: body, id: "\(kind.rawValue).\(message.id)")
    }

    /// The message's kind and its customer, opened; never sent to an erased customer.
    private func recipient(of message: NotificationMessage) async throws -> (MessageKind, Customer) {
        guard let kind = MessageKind(rawValue: message.kind) else { throw Undeliverable("nothing is written for \(message.kind)") }
        guard let customerID = Self.customerID(in: message.recipient) else { throw Undeliverable("no customer in \(message.recipient)") }
        guard let customer = try await accounts.customer(internalID: customerID) else { throw Undeliverable("the customer no longer exists") }
        guard !customer.isErased else { throw Undeliverable("the customer's personal data was erased") }
        return (kind, customer)
    }

    private func order(_ event: Outbox.Event) async throws -> Order {
        guard let id = OrderID(publicString: event.aggregateID) else { throw Undeliverable("no order id in the event") }
        do {
            return try await fulfilment.orderWithCustomer(id: id).order
        } catch FulfilmentError.orderNotFound {
            throw Undeliverable("the order no longer exists")
        }
    }

    /// The one-click link that stops update e-mails for this customer.
    private func unsubscribeURL(_ customer: Customer) -> String {
        "\(settings.publicURL)/account/unsubscribe?customer=\(customer.id.publicString)&token=\(accounts.unsubscribeToken(for: customer.id))"
    }

    static func customerID(in recipient: String) -> CustomerID? {
        guard recipient.hasPrefix("customer:"), let id = Int64(recipient.dropFirst("customer:".count)) else { return nil }
        return CustomerID(id)
    }

    private func render(_ view: some Sendable, _ template: String) throws -> (String, String) {
        guard let text = library.render(view, withTemplate: "\(template).txt"), let html = library.render(view, withTemplate: "\(template).html") else {
            throw Undeliverable("the \(template) templates did not render")
        }
        return (text, html)
    }

    private var footer: String {
        "You get this e-mail because you have an account at \(settings.shopName) (\(settings.publicURL))."
    }

    // MARK: - Orders

    struct OrderView: Sendable {
        struct Line: Sendable { var quantity: String; var name: String; var packSize: String; var total: String; var note: String? }
        struct Total: Sendable { var label: String; var amount: String; var strong: Bool }
        var shopName: String
        var subject: String
        var headline: String
        var paragraphs: [String]
        var hasLines: Bool
        var lines: [Line]
        var totals: [Total]
        var hasAddress: Bool
        var address: [String]
        var number: String
        var orderURL: String
        var footer: String
        var unsubscribeURL: String?
    }

    private func orderMail(_ kind: MessageKind, event: Outbox.Event, customer: Customer, unsubscribeURL: String?) async throws -> (String, String, String) {
        let order = try await order(event)
        let first = customer.name.split(separator: " ").first.map(String.init) ?? customer.name
        let number = order.number
        let refund = event.payload["refund_minor"].flatMap(Int64.init).map { Money(minorUnits: $0, currency: order.total.currency) }
        var lines = true
        var address = false
        let subject: String
        let headline: String
        var paragraphs = ["Hello \(first),"]
        switch kind {
        case .orderConfirmation:
            subject = "Your \(settings.shopName) order \(number) is confirmed"
            headline = "Thank you for your order"
            let card = order.cardBrand.map { " \($0) ending \(order.cardLastFour ?? "")" } ?? ""
            if order.payment != nil {
                paragraphs.append("We have your order \(number) and have reserved \(order.total.formatted) on your card\(card.isEmpty ? "" : ",\(card)")."
                    + " You pay only for what we pick, when we pack your order. We will let you know when we start picking it.")
            } else {
                paragraphs.append("We have your order \(number) and your payment of \(order.total.formatted)"
                    + (card.isEmpty ? "" : " by\(card)") + ". We will let you know when we start picking it.")
            }
            address = true
        case .orderAmended:
            subject = "Your order \(number) is changed"
            headline = "Your order is changed"
            let total = event.payload["total_minor"].flatMap(Int64.init).map { Money(minorUnits: $0, currency: order.total.currency) } ?? order.total
            paragraphs.append("We have changed order \(number) as you asked: \(event.payload["changes"] ?? "see your order page"). The new total is \(total.formatted)"
                + (order.payment == nil ? "." : "; you pay only for what we pick, when we pack your order."))
            if order.isChangeable {
                paragraphs.append("You can change it again on your order page until " + (order.slot.map { _ in "the slot's cut-off." } ?? "we start picking it."))
            }
        case .orderPicking:
            subject = "We are picking your order \(number)"
            headline = "We have started picking your order"
            paragraphs.append("Our team is gathering the items of order \(number) now. If something is not on the shelf, we will tell you, and "
                + (order.payment == nil ? "refund it." : "you will not be charged for it."))
            // What they asked for if something is missing, so they know what to expect.
            let choices = order.lines.filter { $0.substitute == nil && $0.weighed == nil }.map(\.substitution)
            let similar = choices.filter { $0 == .anySimilar }.count, none = choices.filter { $0 == .none }.count
            let named = choices.count - similar - none
            let wishes = [(similar, "a similar product"), (named, "the product you named"), (none, "no substitute")].filter { $0.0 > 0 }
                .map { "\($0.0) \($0.0 == 1 ? "item" : "items"): \($0.1)" }
            if !wishes.isEmpty {
                paragraphs.append("If an item is not on the shelf, you asked for " + wishes.joined(separator: "; ")
                    + ". You can accept or reject any substitute on your order page before the order leaves us.")
            }
            lines = false
        case .orderSubstituted:
            subject = "Substitutes in your order \(number)"
            headline = "We have substituted some items"
            for line in order.lines {
                guard let substitute = line.substitute, substitute.state == .proposed else { continue }
                let original = order.lines.first { $0.number == substitute.forLine }?.name ?? "an item"
                paragraphs.append("\(original) was not on the shelf, so we have packed \(line.quantity) × \(line.name) instead, for \(line.lineTotal.formatted).")
            }
            paragraphs.append("If you would rather not have a substitute, reject it on your order page before the order leaves us, "
                + "or hand it back to the driver: you will not be charged for it.")
            lines = false
        case .orderOutForDelivery:
            subject = "Your order \(number) is on its way"
            headline = "Your order is on its way"
            paragraphs.append("Order \(number) has left the shop and will be with you soon.")
            address = true
        case .orderDelivered:
            subject = "Your order \(number) was delivered"
            headline = "Your order was delivered"
            paragraphs.append("Order \(number) was handed over. Enjoy your shopping, and thank you for choosing \(settings.shopName).")
            lines = false
        case .orderRefused:
            subject = "Your order \(number) came back to us"
            headline = "Your order came back to us"
            paragraphs.append("Order \(number) was refused at the door, so our driver brought it back. Contact us if this was a mistake.")
            lines = false
        case .orderCancelled:
            subject = "Your order \(number) is cancelled"
            headline = "Your order is cancelled"
            let released = order.refunds.last?.state == .released
            paragraphs.append("Order \(number) is cancelled." + (refund.map {
                released ? " Nothing was charged: the \($0.formatted) reserved on your card is released." : " We have refunded \($0.formatted) to your card; it can take a few days to show."
            } ?? ""))
        case .orderRefunded:
            subject = "We have refunded \(refund?.formatted ?? "money") on order \(number)"
            headline = "Your refund"
            paragraphs.append("We have refunded \(refund?.formatted ?? "part of your payment") on order \(number) to your card; it can take a few days to show."
                + (order.refunds.last.map { " Reason: \($0.reason)." } ?? ""))
        case .passwordReset, .accountVerify, .accountTaken, .backInStock:
            throw Undeliverable("\(kind.rawValue) is not about an order")
        }
        var totals = [OrderView.Total(label: "Subtotal", amount: order.subtotal.formatted, strong: false)]
            + order.savings.map { OrderView.Total(label: $0.label, amount: $0.amount.formatted, strong: false) }
            + [OrderView.Total(label: "Delivery", amount: order.deliveryFee.formatted, strong: false)]
            + order.charges.map { OrderView.Total(label: $0.label, amount: $0.amount.formatted, strong: false) } + [
            OrderView.Total(label: "Total", amount: order.total.formatted, strong: true),
        ]
        if order.refunded.minorUnits > 0 {
            if order.notCharged.minorUnits > 0 { totals.append(OrderView.Total(label: "Not charged", amount: "−" + order.notCharged.formatted, strong: false)) }
            if order.refundedToCard.minorUnits > 0 {
                totals.append(OrderView.Total(label: "Refunded", amount: "−" + order.refundedToCard.formatted, strong: false))
            }
            totals.append(OrderView.Total(label: "You paid", amount: order.netTotal.formatted, strong: true))
        }
        let view = OrderView(
            shopName: settings.shopName, subject: subject, headline: headline, paragraphs: paragraphs, hasLines: lines,
            lines: order.lines.map { line in
                OrderView.Line(quantity: line.quantityText, name: line.name, packSize: line.packSize, total: line.lineTotal.formatted,
                               note: line.refundedQuantity > 0 ? "\(line.refundedQuantity) \(order.payment == nil ? "refunded" : "not charged")"
                                   : line.weighed.map { weighed in weighed.pickedGrams.map { "weighed \(Weighing.format(grams: $0))" } ?? "estimated, weighed when picked" })
            },
            totals: totals, hasAddress: address, address: order.delivery.addressLines, number: number,
            orderURL: "\(settings.publicURL)/orders/\(order.id.publicString)", footer: footer, unsubscribeURL: unsubscribeURL
        )
        let (text, html) = try render(view, "order")
        return (subject, text, html)
    }

    // MARK: - Accounts

    struct AccountView: Sendable {
        struct Action: Sendable { var label: String; var url: String }
        var shopName: String
        var subject: String
        var headline: String
        var paragraphs: [String]
        var action: Action?
        var after: [String]
        var footer: String
    }

    private func accountMail(_ kind: MessageKind, event: Outbox.Event, customer: Customer, now: Date) throws -> (String, String, String) {
        let first = customer.name.split(separator: " ").first.map(String.init) ?? customer.name
        let view: AccountView
        switch kind {
        case .passwordReset:
            let token = try linkToken(event, now: now)
            view = AccountView(
                shopName: settings.shopName, subject: "Reset your \(settings.shopName) password", headline: "Reset your password",
                paragraphs: ["Hello \(first),", "Someone, probably you, asked to reset the password of your \(settings.shopName) account. The link below works once, for 30 minutes."],
                action: .init(label: "Choose a new password", url: "\(settings.publicURL)/account/password/reset?token=\(token)"),
                after: ["Setting a new password signs you out everywhere. If you did not ask for this, ignore this e-mail: your password stays as it is."],
                footer: footer
            )
        case .accountVerify:
            let token = try linkToken(event, now: now)
            view = AccountView(
                shopName: settings.shopName, subject: "Confirm your e-mail for \(settings.shopName)", headline: "Welcome to \(settings.shopName)",
                paragraphs: ["Hello \(first),", "Thank you for opening an account. Confirm that this is your e-mail address to finish signing up."],
                action: .init(label: "Confirm my e-mail", url: "\(settings.publicURL)/account/confirm?token=\(token)"),
                after: ["The link works once, for 24 hours. If you did not sign up, ignore this e-mail and no account will be opened in your name."],
                footer: footer
            )
        case .accountTaken:
            view = AccountView(
                shopName: settings.shopName, subject: "Someone tried to open a \(settings.shopName) account with your e-mail",
                headline: "You already have an account",
                paragraphs: ["Hello \(first),", "Someone, perhaps you, tried to open a new \(settings.shopName) account with this e-mail address. You already have one, so nothing was changed."],
                action: .init(label: "Sign in", url: "\(settings.publicURL)/account/sign-in"),
                after: ["Forgotten your password? Reset it at \(settings.publicURL)/account/password/forgot. If it was not you, you need do nothing: your account is safe."],
                footer: footer
            )
        case .backInStock:
            guard let name = event.payload["product_name"], let slug = event.payload["product_slug"] else {
                throw Undeliverable("the event does not name its product")
            }
            let pack = event.payload["pack_size"].map { " (\($0))" } ?? ""
            view = AccountView(
                shopName: settings.shopName, subject: "\(name) is back in stock at \(settings.shopName)", headline: "Back in stock",
                paragraphs: ["Hello \(first),", "You asked us to tell you when \(name)\(pack) was back. It is in stock now, while it lasts."],
                action: .init(label: "See \(name)", url: "\(settings.publicURL)/products/\(slug)"),
                after: ["We tell you once for each time you ask: ask again on the product's page if it runs out before you buy it."],
                footer: footer
            )
        default:
            throw Undeliverable("\(kind.rawValue) is about an order")
        }
        let (text, html) = try render(view, "account")
        return (view.subject, text, html)
    }

    /// The link's token, sealed in the event; an expired link is not worth sending.
    private func linkToken(_ event: Outbox.Event, now: Date) throws -> String {
        if let expires = event.payload["expires_at"].flatMap(Int64.init), Int64(now.timeIntervalSince1970) >= expires {
            throw Undeliverable("the link expired before it could be sent")
        }
        guard let sealed = event.payload["token_sealed"], let token = try? vault.open(sealed) else {
            throw Undeliverable("the link's token cannot be read")
        }
        return token
    }
}
