import Accounts
import Checkout
import Foundation
import GoMartModels
import Logging
import Mail
import Metrics
import ServiceLifecycle
import Storage

/// Delivers the outbox: turns events into messages, sends the messages that are due, retries
/// failures with exponential backoff and jitter, and gives up after ``NotificationSettings/maxAttempts``.
///
/// Delivery is at least once: a message is claimed with a lease before it is sent and marked
/// sent afterwards, so a worker that dies between the two leaves it to be sent again when the
/// lease ends. Every attempt at one message carries the same id (the e-mail's `Message-ID`),
/// so the receiving side can drop a repeat.
public struct Notifications: Sendable {
    public let store: MessageStore
    let settings: NotificationSettings
    let composer: EmailComposer
    let fulfilment: FulfilmentService
    let mail: any MailTransport
    /// Text messages; nil when the shop sends none (then customers cannot choose them).
    let sms: (any SMSProvider)?
    /// Integrators' endpoints; nil when the shop posts none.
    let webhooks: WebhookChannel?
    let logger: Logger
    let random: @Sendable (ClosedRange<Int64>) -> Int64

    public init(store: MessageStore, settings: NotificationSettings, composer: EmailComposer, fulfilment: FulfilmentService,
                mail: any MailTransport, sms: (any SMSProvider)? = nil, webhooks: WebhookChannel? = nil, logger: Logger,
                random: @escaping @Sendable (ClosedRange<Int64>) -> Int64 = { Int64.random(in: $0) }) {
        self.sms = sms
        self.webhooks = webhooks
        self.store = store
        self.settings = settings
        self.composer = composer
        self.fulfilment = fulfilment
        self.mail = mail
        self.logger = logger
        self.random = random
    }

    /// What one round did.
    public struct Round: Sendable, Equatable {
        public var dispatched = 0
        public var sent = 0
        public var failed = 0
        public var dead = 0
        public var didWork: Bool { dispatched + sent + failed + dead > 0 }
    }

    /// Dispatches new events and sends the messages due at `now`.
    @discardableResult
    public func runRound(now: Date = Date()) async throws -> Round {
        var round = Round()
        let timestamp = Int64(now.timeIntervalSince1970)
        round.dispatched = try await store.dispatch(limit: 200, now: timestamp) { event in try await plan(event) }.events
        let claimed = try await store.claim(limit: settings.batchSize, now: timestamp, leaseSeconds: settings.leaseSeconds)
        // Recipients side by side; one recipient's messages one after another, oldest first,
        // so that "cancelled" never overtakes "confirmed".
        let byRecipient = Dictionary(grouping: claimed) { "\($0.message.channel.rawValue) \($0.message.recipient)" }
        let outcomes = await withTaskGroup(of: [Outcome].self) { group in
            for items in byRecipient.values {
                group.addTask {
                    var outcomes: [Outcome] = []
                    for item in items.sorted(by: { $0.message.id < $1.message.id }) { outcomes.append(await deliver(item, now: now)) }
                    return outcomes
                }
            }
            var outcomes: [Outcome] = []
            for await some in group { outcomes += some }
            return outcomes
        }
        for outcome in outcomes {
            switch outcome {
            case .sent: round.sent += 1
            case .retry: round.failed += 1
            case .dead: round.dead += 1
            }
        }
        try await updateOldestAge(now: timestamp)
        return round
    }

    /// The messages an event gives: an e-mail to the customer for the topics they hear about;
    /// for progress updates, the channels the customer chose (a text only for the short ones,
    /// and only with a phone number and a provider).
    func plan(_ event: Outbox.Event) async throws -> [PlannedMessage] {
        var planned = try await customerMessages(event)
        if event.topic == WebhookChannel.disabledTopic {
            planned.append(PlannedMessage(channel: .email, recipient: "owners", kind: WebhookChannel.disabledTopic))
        }
        // Integrators' endpoints subscribed to the event's type.
        if let webhooks, let type = WebhookEventType.name(ofTopic: event.topic) {
            for endpoint in try await webhooks.store.all() where endpoint.enabled && endpoint.eventTypes.contains(type) {
                planned.append(PlannedMessage(channel: .webhook, recipient: "endpoint:\(endpoint.id)", kind: type))
            }
        }
        return planned
    }

    private func customerMessages(_ event: Outbox.Event) async throws -> [PlannedMessage] {
        guard let kind = MessageKind(topic: event.topic) else { return [] }
        if kind.isAboutAnOrder {
            guard let id = OrderID(publicString: event.aggregateID) else { return [] }
            let found: (order: Order, customerID: CustomerID)
            do {
                found = try await fulfilment.orderWithCustomer(id: id)
            } catch FulfilmentError.orderNotFound {
                return []
            }
            // An order cancelled before it was ever paid (a declined card, an abandoned
            // payment): the shopper was told on the spot, and no money moved.
            if kind == .orderCancelled, found.order.paidAt == nil { return [] }
            let recipient = "customer:\(found.customerID.rawValue)"
            guard kind.isUpdate else { return [PlannedMessage(channel: .email, recipient: recipient, kind: kind.rawValue)] }
            guard let chosen = try await composer.accounts.updateChannels(of: found.customerID) else { return [] }
            var planned: [PlannedMessage] = []
            if chosen.channels.byEmail { planned.append(PlannedMessage(channel: .email, recipient: recipient, kind: kind.rawValue)) }
            if chosen.channels.bySMS, chosen.hasPhone, kind.goesBySMS, sms != nil {
                planned.append(PlannedMessage(channel: .sms, recipient: recipient, kind: kind.rawValue))
            }
            return planned
        }
        guard let customer = event.payload["customer_id"].flatMap(Int64.init) else { return [] }
        return [PlannedMessage(channel: .email, recipient: "customer:\(customer)", kind: kind.rawValue)]
    }

    enum Outcome { case sent, retry, dead }

    private func deliver(_ item: MessageStore.Claimed, now: Date) async -> Outcome {
        let message = item.message
        let timestamp = Int64(now.timeIntervalSince1970)
        let metadata: Logger.Metadata = ["message": "\(message.id)", "kind": "\(message.kind)", "channel": "\(message.channel.rawValue)", "attempt": "\(message.attempts)"]
        do {
            guard let event = item.event else { throw Undeliverable("its outbox event is gone") }
            switch message.channel {
            case .email where message.recipient == "owners":
                try await mail.send(try await composer.composeForOwners(message, event: event, now: now))
            case .email:
                try await mail.send(try await composer.compose(message, event: event, now: now))
            case .sms:
                guard let sms else { throw Undeliverable("no SMS provider is set up") }
                try await sms.send(try await composer.composeSMS(message, event: event))
            case .webhook:
                guard let webhooks else { throw Undeliverable("no webhook channel is set up") }
                try await webhooks.deliver(message, event: event, now: now)
            }
            try await store.markSent(message.id, now: timestamp)
            Self.count(message.channel, "sent")
            logger.info("message sent", metadata: metadata)
            return .sent
        } catch {
            let failure = error as? any DeliveryFailure
            let permanent = failure?.isPermanent == true
            // Only our own errors' words: others may quote data.
            let reason = failure?.description ?? String(describing: type(of: error))
            let retryAt = permanent || message.attempts >= settings.maxAttempts ? nil : timestamp + retryDelay(attempt: message.attempts)
            do {
                try await store.markFailed(message.id, error: reason, retryAt: retryAt)
            } catch {
                // The lease runs out and another round takes the message again.
                logger.error("could not record a failed message", metadata: metadata.merging(["error": "\(type(of: error))"]) { $1 })
            }
            if retryAt == nil {
                Self.count(message.channel, "dead")
                logger.error("message dead", metadata: metadata.merging(["error": "\(reason)"]) { $1 })
                return .dead
            }
            Self.count(message.channel, "failed")
            logger.warning("message failed, will retry", metadata: metadata.merging(["error": "\(reason)", "retry_at": "\(retryAt ?? 0)"]) { $1 })
            return .retry
        }
    }

    /// Seconds before the attempt after `attempt`: the base doubled per attempt, capped, and
    /// spread at random over its upper half so that messages that failed together do not all
    /// come back together.
    func retryDelay(attempt: Int) -> Int64 {
        let doubled = settings.retryBaseSeconds << Int64(min(max(attempt - 1, 0), 30))
        let full = min(doubled, settings.retryCapSeconds)
        return max(1, random((full / 2)...full))
    }

    private static func count(_ channel: Channel, _ outcome: String) {
        Counter(label: "gomart_notifications_total", dimensions: [("channel", channel.rawValue), ("outcome", outcome)]).increment()
    }

    /// `gomart_notifications_oldest_undelivered_seconds`: how long the oldest event or message
    /// not yet delivered has waited (0 when none).
    private func updateOldestAge(now: Int64) async throws {
        let oldest = try await store.oldestUndelivered()
        Gauge(label: "gomart_notifications_oldest_undelivered_seconds").record(Double(oldest.map { max(now - $0, 0) } ?? 0))
    }
}

/// A delivery's failure in words fit for the log and the back office (no personal data), and
/// whether sending again could help.
protocol DeliveryFailure: Error, CustomStringConvertible {
    var isPermanent: Bool { get }
}

extension MailError: DeliveryFailure {}
extension SMSError: DeliveryFailure {}
extension WebhookError: DeliveryFailure {}
extension Undeliverable: DeliveryFailure {
    var isPermanent: Bool { true }
}

/// The worker's loop over ``Notifications``: a round whenever there may be work, and a short
/// wait between rounds when there was none.
public struct NotificationWorker: Service {
    let notifications: Notifications
    let logger: Logger

    public init(notifications: Notifications, logger: Logger) {
        self.notifications = notifications
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                var worked = false
                do {
                    worked = try await notifications.runRound().didWork
                    JobRuns.record("notifications", succeeded: true)
                } catch {
                    // Stopped by shutdown mid-round: not a failure (the round's messages stay queued).
                    if Task.isCancelled { break }
                    JobRuns.record("notifications", succeeded: false)
                    logger.error("notifications round failed", metadata: ["error": "\(String(describing: type(of: error)))"])
                }
                if !worked { try await Task.sleep(for: notifications.settings.pollInterval) }
            }
        }
        await notifications.webhooks?.sender.shutdown()
    }
}
