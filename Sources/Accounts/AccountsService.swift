import Foundation
import GoMartModels
import Security
import SQLKit
import Storage

/// Accounts and sessions: sign-up, sign-in, sign-out and resolving a session token.
///
/// Personal data is sealed by the vault before it reaches the repository and opened after it
/// leaves; e-mails are found by their blind index. Session tokens are stored only as hashes.
public struct AccountsService: Sendable {
    let repository: AccountsRepository
    let vault: PersonalDataVault
    let hasher: PasswordHasher
    let passwordPolicy: PasswordPolicy
    /// How long sessions last.
    public let sessionPolicy: SessionPolicy
    /// Failed sign-ins per account: waits, then a temporary lock.
    public let throttle: SignInThrottle
    let now: @Sendable () -> Date
    /// Live sessions with their customers, opened, kept exact by the change feed; nil: read every time.
    let sessions: FeedCache<CachedSession>?
    /// Whether a new account must confirm its e-mail before it can sign in: then sign-up never
    /// signs in and answers the same whether or not the e-mail has an account
    /// (``signUpAwaitingConfirmation(_:)``).
    public let requiresEmailConfirmation: Bool

    /// A session as cached: its row and its customer, opened.
    struct CachedSession: Sendable {
        var stored: StoredSession
        var customer: Customer
    }

    /// The change feed's topic for one ended session; keys are token hashes.
    public static let sessionTopic = "session"
    /// The change feed's topic for a customer whose sessions or personal data changed; keys are internal ids.
    public static let customerTopic = "customer"

    /// Creates the service; with a `feed`, live sessions are cached in this process.
    public init(
        repository: AccountsRepository, vault: PersonalDataVault, hasher: PasswordHasher,
        passwordPolicy: PasswordPolicy, sessionPolicy: SessionPolicy = SessionPolicy(),
        throttlePolicy: SignInThrottle.Policy = SignInThrottle.Policy(), feed: ChangeFeed? = nil,
        requiresEmailConfirmation: Bool = false, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.requiresEmailConfirmation = requiresEmailConfirmation
        self.repository = repository
        self.vault = vault
        self.hasher = hasher
        self.passwordPolicy = passwordPolicy
        self.sessionPolicy = sessionPolicy
        self.throttle = SignInThrottle(database: repository.database, policy: throttlePolicy, now: now)
        self.now = now
        sessions = feed.map { feed in
            let cache = FeedCache<CachedSession>(name: "sessions", topic: Self.sessionTopic, capacity: 20_000, timeToLive: .seconds(300), feed: feed)
            cache.follow(Self.customerTopic) { changed, _, session in changed.contains(String(session.stored.customerID)) }
            return cache
        }
    }

    /// The outbox topics of the account e-mails.
    public static let confirmationTopic = "account_verify"
    public static let takenTopic = "account_taken"
    /// How long an e-mail confirmation link lasts.
    public static let confirmationLifetime: TimeInterval = 24 * 3_600
    /// How often, at most, the owner of an e-mail hears that someone tried to sign up with it.
    public static let takenNoticeQuietSeconds: Int64 = 24 * 3_600

    /// Opens an account and signs it in; a link to confirm the e-mail goes out by e-mail. Throws
    /// ``AccountsError/invalidFields(_:)`` listing every bad field, or ``AccountsError/emailTaken``.
    /// For shops that do not require confirmation (``requiresEmailConfirmation`` off).
    public func signUp(_ form: SignUpForm) async throws -> IssuedSession {
        guard let customer = try await open(form) else { throw AccountsError.emailTaken }
        return try await issueSession(for: customer)
    }

    /// Opens an account that can sign in once its e-mail is confirmed, and answers the same way
    /// when the e-mail already has an account: then its owner is told by e-mail instead (at most
    /// once a day), and nothing else changes. Throws ``AccountsError/invalidFields(_:)`` only.
    public func signUpAwaitingConfirmation(_ form: SignUpForm) async throws {
        if try await open(form) != nil { return }
        let customerTopic = Self.takenTopic
        _ = try await repository.noteTakenSignUp(
            emailIndex: vault.blindIndex(form.normalisedEmail), now: Int64(now().timeIntervalSince1970), quietSeconds: Self.takenNoticeQuietSeconds
        ) { id, publicID in (customerTopic, publicID, ["customer_id": String(id)]) }
    }

    /// Creates the account with its confirmation link; nil when the e-mail is taken.
    private func open(_ form: SignUpForm) async throws -> Customer? {
        let problems = form.problems(policy: passwordPolicy)
        guard problems.isEmpty else { throw AccountsError.invalidFields(problems) }
        let email = form.normalisedEmail
        // Hashed whether or not the e-mail is taken, so both answers take as long.
        let passwordHash = try await hasher.hash(form.password)
        let publicUUID = UUID()
        let publicID = publicUUID.publicString
        let timestamp = Int64(now().timeIntervalSince1970)
        let token = RandomToken.make(bytes: 32)
        let expiresAt = timestamp + Int64(Self.confirmationLifetime)
        let sealedToken = try vault.seal(token)
        guard let internalID = try await repository.insertCustomer(
            publicID: publicID, emailIndex: vault.blindIndex(email), emailSealed: try vault.seal(email),
            nameSealed: try vault.seal(form.trimmedName), phoneSealed: try form.trimmedPhone.map(vault.seal),
            passwordHash: passwordHash, now: timestamp, verificationHash: RandomToken.hash(token), verificationExpiresAt: expiresAt,
            event: { id in (Self.confirmationTopic, publicID, ["customer_id": String(id), "token_sealed": sealedToken, "expires_at": String(expiresAt)]) }
        ) else { return nil }
        return Customer(
            internalID: CustomerID(internalID), id: publicUUID, email: email, name: form.trimmedName,
            phone: form.trimmedPhone, createdAt: Date(timeIntervalSince1970: TimeInterval(timestamp))
        )
    }

    /// A confirmation link that is unknown, used or expired.
    public struct ConfirmationLinkNotValid: Error, Equatable, CustomStringConvertible {
        public init() {}
        public var description: String { "This confirmation link has expired or was already used. Sign in, or ask for a password reset link, which confirms your e-mail too." }
    }

    /// Confirms the e-mail with the link's `token` and signs the account in; throws
    /// ``ConfirmationLinkNotValid``.
    public func confirmEmail(token: String) async throws -> IssuedSession {
        guard !token.isEmpty, token.count <= 100,
              let customerID = try await repository.redeemEmailVerification(tokenHash: RandomToken.hash(token), now: Int64(now().timeIntervalSince1970)),
              let stored = try await repository.customer(internalID: customerID), !stored.isErased
        else { throw ConfirmationLinkNotValid() }
        return try await issueSession(for: try open(stored))
    }

    /// Checks the e-mail and password and starts a new session (a fresh token every time).
    /// Repeated failures for one e-mail make it wait and then lock it for a while
    /// (``SignInThrottle/Locked``), whether or not an account has that e-mail.
    public func signIn(email: String, password: String) async throws -> IssuedSession {
        let normalised = EmailAddress.normalise(email)
        guard normalised.count <= 254, password.count <= PasswordPolicy.maximumLength else { throw AccountsError.wrongCredentials }
        let index = vault.blindIndex(normalised)
        let throttleKey = Self.throttleKey(emailIndex: index)
        try await throttle.check(throttleKey)
        let stored = try await repository.customer(emailIndex: index)
        // An account whose e-mail is not confirmed cannot sign in, and says so no differently
        // from a wrong password: otherwise signing in after signing up would tell whether the
        // e-mail had an account before.
        guard try await hasher.verify(password, against: stored?.passwordHash), let stored,
              !requiresEmailConfirmation || stored.emailVerifiedAt != nil else {
            try await throttle.recordFailure(throttleKey)
            throw AccountsError.wrongCredentials
        }
        try await throttle.recordSuccess(throttleKey)
        if hasher.needsRehash(stored.passwordHash) {
            // A hash from before passwords were pre-hashed: replaced now that the password is known.
            try await repository.updatePasswordHash(customerID: stored.internalID, to: try await hasher.hash(password))
        }
        return try await issueSession(for: try open(stored))
    }

    /// Ends the session behind `token`; ending an unknown session is not an error.
    public func signOut(token: String) async throws {
        try await signOut(tokenHash: RandomToken.hash(token))
    }

    /// Ends the session with this token hash (from an ``AuthenticatedSession``).
    public func signOut(tokenHash: String) async throws {
        try await repository.deleteSession(tokenHash: tokenHash)
        sessions?.remove(tokenHash)
    }

    /// The live session behind `token`, or `nil` when it is unknown, idle too long or expired.
    public func session(token: String) async throws -> AuthenticatedSession? {
        guard !token.isEmpty, token.count <= 100 else { return nil }
        let tokenHash = RandomToken.hash(token)
        let timestamp = Int64(now().timeIntervalSince1970)
        let lookup = sessions?.lookup(tokenHash)
        // A cached session is served only while it needs no work: live, and touched lately. Its
        // last-seen time can only be older than the row's (another process may have touched it),
        // so "live" here is live there too; anything else is decided on the row itself.
        if let cached = lookup?.value, isLive(cached.stored, at: timestamp), !needsTouch(cached.stored, at: timestamp) {
            return authenticated(cached.customer, tokenHash: tokenHash, stored: cached.stored)
        }
        guard let found = try await repository.sessionWithCustomer(tokenHash: tokenHash) else { return nil }
        var stored = found.session
        guard isLive(stored, at: timestamp) else {
            try await repository.deleteSession(tokenHash: tokenHash)
            return nil
        }
        if needsTouch(stored, at: timestamp) {
            try await repository.touchSession(tokenHash: tokenHash, now: timestamp)
            stored.lastSeenAt = timestamp
        }
        guard let customer = found.customer else { return nil }
        let opened = try open(customer)
        sessions?.store(CachedSession(stored: stored, customer: opened), for: tokenHash, generation: lookup?.generation)
        return authenticated(opened, tokenHash: tokenHash, stored: stored)
    }

    private func isLive(_ stored: StoredSession, at timestamp: Int64) -> Bool {
        stored.expiresAt > timestamp && stored.lastSeenAt + Int64(sessionPolicy.idleTimeout) > timestamp
    }

    private func needsTouch(_ stored: StoredSession, at timestamp: Int64) -> Bool {
        timestamp - stored.lastSeenAt >= Int64(sessionPolicy.touchInterval)
    }

    private func authenticated(_ customer: Customer, tokenHash: String, stored: StoredSession) -> AuthenticatedSession {
        AuthenticatedSession(customer: customer, tokenHash: tokenHash, absoluteExpiry: Date(timeIntervalSince1970: TimeInterval(stored.expiresAt)))
    }

    /// Drops this process's cached sessions of a customer at once (the feed tells the others):
    /// after a change that ended them, made in a transaction of the caller's.
    public func forgetSessions(of customerID: CustomerID) {
        sessions?.remove { _, session in session.stored.customerID == customerID.rawValue }
    }

    /// The sign-in throttle's key for a customer's e-mail (staff have their own).
    static func throttleKey(emailIndex: String) -> String { "customer:" + emailIndex }

    /// Deletes sessions that have ended; returns how many.
    public func purgeEndedSessions() async throws -> Int {
        let timestamp = Int64(now().timeIntervalSince1970)
        return try await repository.deleteExpiredSessions(now: timestamp, idleCutoff: timestamp - Int64(sessionPolicy.idleTimeout))
    }

    private func issueSession(for customer: Customer) async throws -> IssuedSession {
        let token = RandomToken.make(bytes: 32)
        let timestamp = Int64(now().timeIntervalSince1970)
        let expiresAt = timestamp + Int64(sessionPolicy.absoluteTimeout)
        try await repository.insertSession(tokenHash: RandomToken.hash(token), customerID: customer.internalID.rawValue, now: timestamp, expiresAt: expiresAt)
        return IssuedSession(token: token, expiresAt: Date(timeIntervalSince1970: TimeInterval(expiresAt)), customer: customer)
    }

    // MARK: - Password change and signing out everywhere

    /// Changes the signed-in customer's password: the current one must be right (a wrong one
    /// counts as a failed sign-in) and the new one must meet the policy. Every other session of
    /// the customer ends; this one goes on.
    public func changePassword(session: AuthenticatedSession, current: String, new: String) async throws {
        let throttleKey = Self.throttleKey(emailIndex: vault.blindIndex(session.customer.email))
        try await throttle.check(throttleKey)
        let stored = try await repository.customer(internalID: session.customer.internalID.rawValue)
        guard current.count <= PasswordPolicy.maximumLength, try await hasher.verify(current, against: stored?.passwordHash) else {
            try await throttle.recordFailure(throttleKey)
            throw AccountsError.invalidFields(["current_password": "Your current password is not right."])
        }
        if let reason = passwordPolicy.problem(with: new) { throw AccountsError.invalidFields(["new_password": "Your new password \(reason)."]) }
        try await repository.changePassword(customerID: session.customer.internalID.rawValue, to: try await hasher.hash(new), keepingSession: session.tokenHash)
        forgetSessions(of: session.customer.internalID)
    }

    /// Ends every session of the customer, this one included ("sign out everywhere").
    public func signOutEverywhere(customerID: CustomerID) async throws {
        try await repository.deleteSessions(customerID: customerID.rawValue, except: nil)
        forgetSessions(of: customerID)
    }

    // MARK: - Finding and erasing customers

    /// The customer with this e-mail (found by its blind index), if any.
    public func customer(email: String) async throws -> Customer? {
        let email = EmailAddress.normalise(email)
        guard !email.isEmpty, email.count <= 254 else { return nil }
        return try await repository.customer(emailIndex: vault.blindIndex(email)).map(open)
    }

    /// The customer with this internal id, if any (erased ones too).
    public func customer(internalID: CustomerID) async throws -> Customer? {
        try await repository.customer(internalID: internalID.rawValue).map(open)
    }

    /// The customer with this public id, if any (erased ones too).
    public func customer(id: UUID) async throws -> Customer? {
        try await repository.customer(publicID: id.publicString).map(open)
    }

    /// Replaces the customer's e-mail, name and phone with placeholders, makes the password
    /// unusable and ends every session, inside the caller's transaction `sql`. The row stays, so
    /// that orders keep pointing at it; the e-mail is free for a new account. False if there is
    /// no such customer.
    @discardableResult
    public func erase(_ customerID: CustomerID, in sql: any SQLDatabase) async throws -> Bool {
        try await AccountsRepository.erase(customerID: customerID.rawValue, emailSealed: try vault.seal(""),
                                           nameSealed: try vault.seal(Self.erasedName), sql: sql)
    }

    /// The name an erased customer is shown under.
    public static let erasedName = "Erased customer"

    private func open(_ stored: StoredCustomer) throws -> Customer {
        guard let id = UUID(publicString: stored.publicID) else { throw PersonalDataVault.OpenError() }
        var customer = Customer(
            internalID: CustomerID(stored.internalID),
            id: id,
            email: try vault.open(stored.emailSealed),
            name: try vault.open(stored.nameSealed),
            phone: try stored.phoneSealed.map(vault.open),
            createdAt: Date(timeIntervalSince1970: TimeInterval(stored.createdAt))
        )
        customer.isErased = stored.isErased
        customer.updatesBy = UpdateChannels(rawValue: stored.updatesBy) ?? .email
        return customer
    }
}

// MARK: - How customers hear about their orders

extension AccountsService {
    /// Sets how the customer hears about their order's progress. Text messages need a phone
    /// number on the account, and a shop that sends them (`smsAvailable`).
    public func setUpdateChannels(_ channels: UpdateChannels, for customer: Customer, smsAvailable: Bool) async throws {
        if channels.bySMS {
            guard smsAvailable else { throw AccountsError.invalidFields(["updates_by": "This shop does not send text messages."]) }
            guard customer.phone != nil else {
                throw AccountsError.invalidFields(["updates_by": "Text messages need a phone number on your account."])
            }
        }
        try await repository.setUpdatesBy(customerID: customer.internalID.rawValue, to: channels.rawValue)
        forgetSessions(of: customer.internalID)
    }

    /// How a customer hears about their order's progress and whether they have a phone number,
    /// without opening their personal data; nil for an erased or unknown customer.
    public func updateChannels(of customerID: CustomerID) async throws -> (channels: UpdateChannels, hasPhone: Bool)? {
        guard let found = try await repository.updateChannels(customerID: customerID.rawValue) else { return nil }
        return (UpdateChannels(rawValue: found.channels) ?? .email, found.hasPhone)
    }

    /// The token of the one-click "stop these e-mails" link in update e-mails: a keyed hash of
    /// the customer's public id, so only the shop can make one and it needs no storing.
    public func unsubscribeToken(for customerID: UUID) -> String {
        vault.blindIndex("unsubscribe:" + customerID.publicString)
    }

    /// Stops update e-mails for the customer the link names (texts, if chosen, go on); false if
    /// the token does not match.
    public func unsubscribeFromUpdateEmails(customerID: UUID, token: String) async throws -> Bool {
        guard token.count <= 100, token == unsubscribeToken(for: customerID),
              let stored = try await repository.customer(publicID: customerID.publicString) else { return false }
        let current = UpdateChannels(rawValue: stored.updatesBy) ?? .email
        let next: UpdateChannels = current.bySMS ? .sms : .none
        try await repository.setUpdatesBy(customerID: stored.internalID, to: next.rawValue)
        forgetSessions(of: CustomerID(stored.internalID))
        return true
    }
}
