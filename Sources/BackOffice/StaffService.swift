import Accounts
import Foundation
import GoMartModels
import Security

/// Staff accounts and sessions, and the one place a staff member's rights are checked.
///
/// Like customers' accounts, personal data is sealed before it reaches the repository, e-mails
/// are found by their blind index and session tokens are stored only as hashes; but staff have
/// their own tables, and their sessions are shorter (``Accounts/SessionPolicy/staff``).
public struct StaffService: Sendable {
    let repository: StaffRepository
    let vault: PersonalDataVault
    let hasher: PasswordHasher
    let passwordPolicy: PasswordPolicy
    /// How long staff sessions last.
    public let sessionPolicy: SessionPolicy
    /// Failed sign-ins (passwords and codes) per member: waits, then a temporary lock.
    let throttle: SignInThrottle
    let now: @Sendable () -> Date

    /// Creates the service.
    public init(repository: StaffRepository, vault: PersonalDataVault, hasher: PasswordHasher, passwordPolicy: PasswordPolicy,
                sessionPolicy: SessionPolicy = .staff, throttlePolicy: SignInThrottle.Policy = SignInThrottle.Policy(),
                now: @escaping @Sendable () -> Date = Date.init) {
        self.repository = repository
        self.vault = vault
        self.hasher = hasher
        self.passwordPolicy = passwordPolicy
        self.sessionPolicy = sessionPolicy
        self.throttle = SignInThrottle(database: repository.database, policy: throttlePolicy, now: now)
        self.now = now
    }

    /// Adds a member of staff; owners and managers get a second factor (``SecondFactorEnrolment``),
    /// which they must use at every sign-in. Throws ``StaffError/invalidFields(_:)`` listing every
    /// bad field, or ``StaffError/emailTaken``.
    /// `actor` is who adds them, for the audit log: a member who may manage staff, or the command line.
    @discardableResult
    public func add(email: String, name: String, password: String, role: StaffRole, by actor: AuditActor) async throws -> StaffEnrolment {
        if case .staff(let member) = actor { try authorize(member, to: .manageStaff) }
        let hidden = EmailAddress.hasHiddenCharacters(email)
        let email = EmailAddress.normalise(email)
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [String: String] = [:]
        if hidden || !SignUpForm.looksLikeEmail(email) { problems["email"] = "must be an e-mail address such as name@example.com" }
        if name.isEmpty || name.count > 100 { problems["name"] = "must be 1 to 100 characters" }
        if let reason = passwordPolicy.problem(with: password) { problems["password"] = reason }
        guard problems.isEmpty else { throw StaffError.invalidFields(problems) }
        let publicID = UUID()
        let timestamp = Int64(now().timeIntervalSince1970)
        var secondFactor: SecondFactorEnrolment?
        var sealedSecret: String?
        if role.requiresTwoFactor {
            let (enrolment, sealed) = try makeSecondFactor(account: email)
            secondFactor = enrolment
            sealedSecret = sealed
        }
        guard let internalID = try await repository.insertMember(
            publicID: publicID.publicString, emailIndex: vault.blindIndex(email), emailSealed: try vault.seal(email),
            nameSealed: try vault.seal(name), passwordHash: try await hasher.hash(password), role: role.rawValue,
            totpSecretSealed: sealedSecret, recoveryCodeHashes: (secondFactor?.recoveryCodes ?? []).map(Self.recoveryCodeHash),
            audit: try auditEntry(actor: actor, action: .staffAdded, subject: "staff \(publicID.publicString)", before: [:],
                                  after: ["email": email, "name": name, "role": role.rawValue]),
            now: timestamp
        ) else { throw StaffError.emailTaken }
        let member = StaffMember(internalID: internalID, id: publicID, email: email, name: name, role: role,
                                 createdAt: Date(timeIntervalSince1970: TimeInterval(timestamp)), isDisabled: false)
        return StaffEnrolment(member: member, secondFactor: secondFactor)
    }

    /// A recovery code: ten base32 characters in two groups, `XXXXX-XXXXX` (50 bits).
    /// Every member of staff, oldest first; for those who manage staff.
    public func members(for member: StaffMember) async throws -> [StaffMember] {
        try authorize(member, to: .manageStaff)
        return try await repository.allMembers().map(open)
    }

    /// The owners who can be reached, for messages about the shop itself (a webhook endpoint
    /// turned off): not for anyone's eyes, for the notifications worker.
    public func activeOwners() async throws -> [StaffMember] {
        try await repository.allMembers().map(open).filter { $0.role == .owner && !$0.isDisabled }
    }

    /// Gives a member another role, from the role `current` the owner saw. Their sessions end, so
    /// the new rights apply at once. A member moving to owner or manager without a second factor
    /// is enrolled: the enrolment is returned, to be shown once.
    public func changeRole(of id: UUID, from current: StaffRole, to role: StaffRole, by actor: StaffMember) async throws -> SecondFactorEnrolment? {
        try authorize(actor, to: .manageStaff)
        guard let stored = try await repository.member(publicID: id.publicString) else { throw StaffError.memberNotFound }
        let member = try open(stored)
        guard member.role != role else { return nil }
        var enrolment: SecondFactorEnrolment?
        var sealedSecret: String?
        if role.requiresTwoFactor && stored.totpSecretSealed == nil {
            let (made, sealed) = try makeSecondFactor(account: member.email)
            enrolment = made
            sealedSecret = sealed
        }
        let changed = try await repository.changeRole(
            staffID: stored.internalID, from: current.rawValue, to: role.rawValue, totpSecretSealed: sealedSecret,
            recoveryCodeHashes: (enrolment?.recoveryCodes ?? []).map(Self.recoveryCodeHash),
            audit: try auditEntry(actor: .staff(actor), action: .staffRoleChanged, subject: "staff \(id.publicString)",
                                  before: ["role": current.rawValue], after: ["role": role.rawValue]),
            now: timestamp()
        )
        guard changed else { throw StaffError.changedMeanwhile }
        return enrolment
    }

    /// Disables a member (they cannot sign in, and their sessions end) or enables them again.
    public func setDisabled(_ id: UUID, _ disabled: Bool, by actor: StaffMember) async throws {
        try authorize(actor, to: .manageStaff)
        guard let stored = try await repository.member(publicID: id.publicString) else { throw StaffError.memberNotFound }
        _ = try await repository.setDisabled(
            staffID: stored.internalID, disabled,
            audit: try auditEntry(actor: .staff(actor), action: disabled ? .staffDisabled : .staffEnabled, subject: "staff \(id.publicString)",
                                  before: ["disabled": disabled ? "no" : "yes"], after: ["disabled": disabled ? "yes" : "no"]),
            now: timestamp()
        )
    }

    /// A new authenticator secret and recovery codes for `account`, and the secret sealed.
    func makeSecondFactor(account: String) throws -> (SecondFactorEnrolment, String) {
        let secret = OneTimePassword.randomSecret()
        let codes = (0..<10).map { _ in Self.makeRecoveryCode() }
        let enrolment = SecondFactorEnrolment(
            secret: Base32.encode(secret), provisioningURI: OneTimePassword(secret: secret).provisioningURI(issuer: issuer, account: account),
            recoveryCodes: codes
        )
        return (enrolment, try vault.seal(Base32.encode(secret)))
    }

    static func makeRecoveryCode() -> String {
        let text = Base32.encode(Array(OneTimePassword.randomSecret().prefix(7))).prefix(10)
        return text.prefix(5) + "-" + text.suffix(5)
    }

    /// What is stored of a recovery code: the SHA-256 of it in upper case without separators.
    static func recoveryCodeHash(_ code: String) -> String {
        RandomToken.hash(code.uppercased().filter { $0.isLetter || $0.isNumber })
    }

    /// How many members of staff there are (zero on a new shop: the first must be added as owner).
    public func count() async throws -> Int {
        try await repository.count()
    }

    /// Checks the e-mail and password, and for owners and managers the one-time code (from the
    /// authenticator app, each code once, or an unused recovery code), then starts a session with
    /// a fresh token.
    public func signIn(email: String, password: String, oneTimeCode: String? = nil) async throws -> StaffSession {
        let email = EmailAddress.normalise(email)
        guard email.count <= 254, password.count <= PasswordPolicy.maximumLength else { throw StaffError.wrongCredentials }
        let index = vault.blindIndex(email)
        let throttleKey = "staff:" + index
        try await throttle.check(throttleKey)
        let stored = try await repository.member(emailIndex: index)
        guard try await hasher.verify(password, against: stored?.passwordHash), let stored, !stored.disabled else {
            try await throttle.recordFailure(throttleKey)
            throw StaffError.wrongCredentials
        }
        let member = try open(stored)
        do {
            try await checkSecondFactor(of: stored, role: member.role, code: oneTimeCode)
        } catch StaffError.wrongOneTimeCode {
            // Guessing codes counts like guessing passwords.
            try await throttle.recordFailure(throttleKey)
            throw StaffError.wrongOneTimeCode
        }
        try await throttle.recordSuccess(throttleKey)
        if hasher.needsRehash(stored.passwordHash) {
            try await repository.updatePasswordHash(staffID: stored.internalID, to: try await hasher.hash(password))
        }
        let token = RandomToken.make()
        let timestamp = now().timeIntervalSince1970
        let expiresAt = timestamp + sessionPolicy.absoluteTimeout
        try await repository.insertSession(tokenHash: RandomToken.hash(token), staffID: member.internalID, now: Int64(timestamp),
                                           expiresAt: Int64(expiresAt))
        return StaffSession(token: token, member: member, expiresAt: Date(timeIntervalSince1970: expiresAt))
    }

    /// The member behind a session token, or nil when the session is unknown, idle too long,
    /// past its end or the account is disabled. A live session's last use moves on.
    public func member(sessionToken token: String) async throws -> StaffMember? {
        let tokenHash = RandomToken.hash(token)
        guard let session = try await repository.session(tokenHash: tokenHash) else { return nil }
        let timestamp = Int64(now().timeIntervalSince1970)
        guard timestamp < session.expiresAt, timestamp - session.lastSeenAt < Int64(sessionPolicy.idleTimeout) else {
            try await repository.deleteSession(tokenHash: tokenHash)
            return nil
        }
        guard let stored = try await repository.member(internalID: session.staffID), !stored.disabled else { return nil }
        if timestamp - session.lastSeenAt >= Int64(sessionPolicy.touchInterval) {
            try await repository.touchSession(tokenHash: tokenHash, now: timestamp)
        }
        return try open(stored)
    }

    /// Ends a session.
    public func signOut(sessionToken token: String) async throws {
        try await repository.deleteSession(tokenHash: RandomToken.hash(token))
    }

    /// Throws ``StaffError/forbidden(_:)`` unless `member` may do `permission`: every staff
    /// operation calls this before it acts.
    public func authorize(_ member: StaffMember, to permission: StaffPermission) throws {
        guard member.may(permission) else { throw StaffError.forbidden(permission) }
    }

    /// Throws ``StaffError/forbidden(_:)`` (naming the first) unless `member` may do one of `permissions`.
    public func authorize(_ member: StaffMember, toAnyOf permissions: [StaffPermission]) throws {
        guard let first = permissions.first else { return }
        guard permissions.contains(where: member.may) else { throw StaffError.forbidden(first) }
    }

    /// The newest `limit` audit entries, newest first: of one action, of what one member of staff
    /// did (`by`), and about a subject containing `subject` (an order's or product's id), when
    /// given; only for those who may read the audit log.
    public func auditLog(for member: StaffMember, action: AuditAction? = nil, by actor: UUID? = nil, subject: String? = nil,
                         limit: Int = 200) async throws -> [AuditEntry] {
        try authorize(member, to: .readAuditLog)
        var staffID: Int64?
        if let actor {
            guard let stored = try await repository.member(publicID: actor.publicString) else { return [] }
            staffID = stored.internalID
        }
        return try await repository.auditEntries(action: action?.rawValue, staffID: staffID, subjectContaining: subject.map { String($0.prefix(100)) },
                                                 limit: min(max(limit, 1), 1_000)).compactMap { stored in
            guard let action = AuditAction(rawValue: stored.action) else { return nil }
            let changes = try JSONDecoder().decode([String: [String: String]].self, from: Data(try vault.open(stored.changesSealed).utf8))
            return AuditEntry(at: Date(timeIntervalSince1970: TimeInterval(stored.createdAt)), actor: try vault.open(stored.actorSealed),
                              action: action, subject: stored.subject, before: changes["before"] ?? [:], after: changes["after"] ?? [:])
        }
    }

    /// An audit line, sealed: the actor's name and the values may be personal data.
    func auditEntry(actor: AuditActor, action: AuditAction, subject: String, before: [String: String],
                    after: [String: String]) throws -> StaffRepository.NewAuditEntry {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let changes = String(decoding: try encoder.encode(["before": before, "after": after]), as: UTF8.self)
        return StaffRepository.NewAuditEntry(staffID: actor.staffID, actorSealed: try vault.seal(actor.name), action: action.rawValue,
                                             subject: subject, changesSealed: try vault.seal(changes))
    }

    /// The clock, in whole seconds.
    func timestamp() -> Int64 {
        Int64(now().timeIntervalSince1970)
    }

    /// The name authenticator apps show beside the code.
    let issuer = "GoMart"

    private func checkSecondFactor(of stored: StaffRepository.StoredMember, role: StaffRole, code: String?) async throws {
        guard let sealed = stored.totpSecretSealed else {
            // Owners and managers are enrolled when added; one without a secret may not sign in.
            if role.requiresTwoFactor { throw StaffError.wrongCredentials }
            return
        }
        guard let code, !code.isEmpty else { throw StaffError.oneTimeCodeRequired }
        guard let secret = Base32.decode(try vault.open(sealed)) else { throw PersonalDataVault.OpenError() }
        if let step = OneTimePassword(secret: secret).matchingStep(of: code, at: now()),
           try await repository.useOneTimeStep(step, staffID: stored.internalID) {
            return
        }
        if try await repository.useRecoveryCode(hash: Self.recoveryCodeHash(code), staffID: stored.internalID, now: Int64(now().timeIntervalSince1970)) {
            return
        }
        throw StaffError.wrongOneTimeCode
    }

    private func open(_ stored: StaffRepository.StoredMember) throws -> StaffMember {
        guard let id = UUID(publicString: stored.publicID), let role = StaffRole(rawValue: stored.role) else { throw PersonalDataVault.OpenError() }
        return StaffMember(internalID: stored.internalID, id: id, email: try vault.open(stored.emailSealed), name: try vault.open(stored.nameSealed),
                           role: role, createdAt: Date(timeIntervalSince1970: TimeInterval(stored.createdAt)), isDisabled: stored.disabled)
    }
}
