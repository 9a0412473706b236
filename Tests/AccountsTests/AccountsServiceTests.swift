import Accounts
import Crypto
import Foundation
import SQLKit
import Security
import Storage
import TestSupport
import Testing

@Suite struct AccountsServiceTests {
    static let ada = SignUpForm(name: "Ada Lovelace", email: "Ada@Example.com ", password: "analytical engine", phone: "+44 7700 900123")

    @Test func signUpSealsPersonalDataAndSignsIn() async throws {
        let (accounts, database, _, _) = try await TestAccounts.make()

        let issued = try await accounts.signUp(Self.ada)

        #expect(issued.customer.email == "ada@example.com")
        #expect(issued.customer.name == "Ada Lovelace")
        #expect(issued.token.count >= 43) // 256 bits, base64url
        let row = try #require(try await database.read { sql in
            try await sql.raw("SELECT email_sealed, name_sealed, phone_sealed, email_index, password_hash FROM customers").first()
        })
        let stored = try ["email_sealed", "name_sealed", "phone_sealed", "email_index", "password_hash"].map {
            try row.decode(column: $0, as: String.self)
        }.joined(separator: " ")
        // Long fragments only: random ciphertext may well contain "ada" or "7700".
        #expect(!stored.lowercased().contains("ada@example.com"))
        #expect(!stored.lowercased().contains("lovelace"))
        #expect(!stored.contains("900123"))
        #expect(!stored.lowercased().contains("analytical"))
        let sessionTokens = try await database.read { sql in try await sql.raw("SELECT token_hash FROM sessions").all() }
        #expect(try sessionTokens.map { try $0.decode(column: "token_hash", as: String.self) } != [issued.token])
        await database.close()
    }

    @Test func signUpListsEveryBadField() async throws {
        let (accounts, database, _, _) = try await TestAccounts.make()
        let error = await #expect(throws: AccountsError.self) {
            try await accounts.signUp(SignUpForm(name: " ", email: "not-an-email", password: "short", phone: "call me"))
        }
        guard case .invalidFields(let fields) = error else { Issue.record("expected invalid fields"); return }
        #expect(Set(fields.keys) == ["name", "email", "password", "phone"])
        await database.close()
    }

    /// The rules the API's JSON Schema states for a phone number, exactly: ASCII digits and
    /// ` +-()`, 7 to 15 digits, at most 20 characters; no digit at all means no phone.
    @Test(arguments: [
        ("+44 7700 900123", true), ("   ", true), ("", true), ("(0) 20-7946", true),
        ("\u{661}\u{662}\u{663}\u{664}\u{665}\u{666}\u{667}", false), ("123456", false), ("1234567890123456", false),
        ("1234567 ((((((((((((((", false), ("12345678\n", false),
    ])
    func phoneNumbersFollowTheDocumentedRules(phone: String, accepted: Bool) async throws {
        let (accounts, database, _, _) = try await TestAccounts.make()
        var refused = false
        do {
            _ = try await accounts.signUp(SignUpForm(name: "Pat", email: "pat@example.com", password: "a good long password", phone: phone))
        } catch AccountsError.invalidFields(let fields) {
            refused = fields.keys.contains("phone")
        }
        #expect(refused == !accepted, "\(phone.debugDescription)")
        await database.close()
    }

    @Test func passwordLengthsAreCountedInCodePointsAsTheSchemaCountsThem() {
        // Eight combining accents on one letter: one character on screen, nine code points.
        let stacked = "e" + String(repeating: "\u{301}", count: 8)
        let policy = PasswordPolicy(common: [])
        #expect(policy.problem(with: stacked) == nil)
        #expect(policy.problem(with: "abc\u{301}def") == "must be at least 8 characters")
    }

    @Test(arguments: ["password1", "iloveyou", "PASSWORD", "qwertyuiop"])
    func commonPasswordsAreRefused(password: String) async throws {
        let (accounts, database, _, _) = try await TestAccounts.make()
        await #expect(throws: AccountsError.self) {
            try await accounts.signUp(SignUpForm(name: "Bob", email: "bob@example.com", password: password))
        }
        await database.close()
    }

    @Test func passwordLengthLimitsAreEightTo128() throws {
        let policy = try PasswordPolicy.load()
        #expect(policy.commonPasswordCount > 3000)
        #expect(policy.problem(with: "seven77") != nil)
        #expect(policy.problem(with: "eight-ok") == nil)
        #expect(policy.problem(with: String(repeating: "x1", count: 64)) == nil)
        #expect(policy.problem(with: String(repeating: "x", count: 129)) != nil)
    }

    @Test func anE_mailCanOnlyRegisterOnceWhateverItsCase() async throws {
        let (accounts, database, _, _) = try await TestAccounts.make()
        _ = try await accounts.signUp(Self.ada)
        var again = Self.ada
        again.email = "ADA@example.COM"
        await #expect(throws: AccountsError.emailTaken) { try await accounts.signUp(again) }
        await database.close()
    }

    @Test func signInChecksThePasswordAndIssuesAFreshTokenEachTime() async throws {
        let (accounts, database, _, _) = try await TestAccounts.make()
        let first = try await accounts.signUp(Self.ada)

        let second = try await accounts.signIn(email: "ada@example.com", password: "analytical engine")

        #expect(second.token != first.token)
        #expect(second.customer.id == first.customer.id)
        await #expect(throws: AccountsError.wrongCredentials) { try await accounts.signIn(email: "ada@example.com", password: "difference engine") }
        await #expect(throws: AccountsError.wrongCredentials) { try await accounts.signIn(email: "nobody@example.com", password: "analytical engine") }
        await database.close()
    }

    @Test func signOutEndsTheSession() async throws {
        let (accounts, database, _, _) = try await TestAccounts.make()
        let issued = try await accounts.signUp(Self.ada)
        #expect(try await accounts.session(token: issued.token)?.customer.email == "ada@example.com")

        try await accounts.signOut(token: issued.token)

        #expect(try await accounts.session(token: issued.token) == nil)
        await database.close()
    }

    @Test func sessionsEndWhenIdleTooLong() async throws {
        let (accounts, database, _, clock) = try await TestAccounts.make(policy: SessionPolicy(idleTimeout: 600, absoluteTimeout: 3600, touchInterval: 60))
        let issued = try await accounts.signUp(Self.ada)

        clock.advance(by: 500)
        let stillActive = try await accounts.session(token: issued.token)
        clock.advance(by: 500) // 500 s since the last activity was recorded
        let afterActivity = try await accounts.session(token: issued.token)
        clock.advance(by: 601)
        let idle = try await accounts.session(token: issued.token)

        #expect(stillActive != nil)
        #expect(afterActivity != nil)
        #expect(idle == nil)
        await database.close()
    }

    @Test func sessionsEndAtTheirAbsoluteExpiryHoweverActive() async throws {
        let (accounts, database, _, clock) = try await TestAccounts.make(policy: SessionPolicy(idleTimeout: 600, absoluteTimeout: 1000, touchInterval: 0))
        let issued = try await accounts.signUp(Self.ada)
        for _ in 0..<3 {
            clock.advance(by: 300)
            #expect(try await accounts.session(token: issued.token) != nil)
        }
        clock.advance(by: 200)
        #expect(try await accounts.session(token: issued.token) == nil)
        await database.close()
    }

    @Test func unknownAndMalformedTokensAreNotSessions() async throws {
        let (accounts, database, _, _) = try await TestAccounts.make()
        #expect(try await accounts.session(token: "") == nil)
        #expect(try await accounts.session(token: "made-up-token") == nil)
        #expect(try await accounts.session(token: String(repeating: "x", count: 500)) == nil)
        await database.close()
    }
}

@Suite struct CredentialHardeningTests {
    static let pepper = SymmetricKey(size: .bits256)

    @Test func everyByteOfAPasswordCountsEvenPastANulAndPast72Bytes() async throws {
        let hasher = PasswordHasher(cost: 4, pepper: Self.pepper)
        let short = try #require(Optional(try await hasher.hash("ab\u{0}cdefghijkl")))
        #expect(short.hasPrefix("p1:"))
        #expect(try await hasher.verify("ab\u{0}cdefghijkl", against: short))
        #expect(!(try await hasher.verify("ab", against: short)))
        #expect(!(try await hasher.verify("ab\u{0}zzzzzzzzzz", against: short)))
        let long = String(repeating: "x", count: 72)
        let hash = try await hasher.hash(long + "tail-one")
        #expect(!(try await hasher.verify(long + "tail-two", against: hash)))
        #expect(try await hasher.verify(long + "tail-one", against: hash))
    }

    @Test func anOldPlainHashStillSignsInAndIsReplaced() async throws {
        let legacy = PasswordHasher(cost: 4)
        let old = try await legacy.hash("a good long password")
        let hasher = PasswordHasher(cost: 4, pepper: Self.pepper)
        #expect(try await hasher.verify("a good long password", against: old))
        #expect(hasher.needsRehash(old))
        #expect(!hasher.needsRehash(try await hasher.hash("a good long password")))
    }

    @Test func controlCharactersInPasswordsAndHiddenCharactersInEmailsAreRefused() async throws {
        let (accounts, database, _, _) = try await TestAccounts.make()
        await #expect(throws: AccountsError.invalidFields(["password": "Your password must not contain control characters."])) {
            try await accounts.signUp(SignUpForm(name: "Nul", email: "nul@example.com", password: "good long\u{0}password"))
        }
        for email in ["zero\u{200B}width@example.com", "nul\u{0}@example.com", "rtl\u{202E}@example.com"] {
            await #expect(throws: AccountsError.invalidFields(["email": "Please enter an e-mail address such as name@example.com."]), "\(email)") {
                try await accounts.signUp(SignUpForm(name: "Hidden", email: email, password: "a good long password"))
            }
        }
        // Compatibility forms are one address: a full-width "Ａ" is an "a".
        _ = try await accounts.signUp(SignUpForm(name: "Plain", email: "ada@example.com", password: "a good long password"))
        await #expect(throws: AccountsError.emailTaken) {
            try await accounts.signUp(SignUpForm(name: "Wide", email: "\u{FF21}da@example.com", password: "a good long password"))
        }
        await database.close()
    }
}

@Suite struct SignInThrottleTests {
    @Test func repeatedFailuresWaitLongerThenLockAndTheRightPasswordWaitsToo() async throws {
        let (accounts, database, _, clock) = try await TestAccounts.make()
        _ = try await accounts.signUp(SignUpForm(name: "Target", email: "target@example.com", password: "a good long password"))
        for _ in 0..<3 {
            await #expect(throws: AccountsError.wrongCredentials) { try await accounts.signIn(email: "target@example.com", password: "wrong guess") }
        }
        // The fourth failure makes the next attempt wait two seconds, even with the right password.
        await #expect(throws: AccountsError.wrongCredentials) { try await accounts.signIn(email: "target@example.com", password: "wrong guess") }
        await #expect(throws: SignInThrottle.Locked(retryAfter: 2)) { try await accounts.signIn(email: "target@example.com", password: "a good long password") }
        for _ in 0..<6 {
            clock.advance(by: 65)
            await #expect(throws: AccountsError.wrongCredentials) { try await accounts.signIn(email: "target@example.com", password: "wrong guess") }
        }
        // Ten failures within fifteen minutes: locked for fifteen minutes.
        await #expect(throws: SignInThrottle.Locked(retryAfter: 900)) { try await accounts.signIn(email: "target@example.com", password: "a good long password") }
        clock.advance(by: 901)
        _ = try await accounts.signIn(email: "target@example.com", password: "a good long password")
        // Success clears the count: three more failures are free again.
        for _ in 0..<3 {
            await #expect(throws: AccountsError.wrongCredentials) { try await accounts.signIn(email: "target@example.com", password: "wrong guess") }
        }
        _ = try await accounts.signIn(email: "target@example.com", password: "a good long password")
        await database.close()
    }

    @Test func anUnknownEmailIsThrottledExactlyLikeAKnownOne() async throws {
        let (accounts, database, _, _) = try await TestAccounts.make()
        _ = try await accounts.signUp(SignUpForm(name: "Known", email: "known@example.com", password: "a good long password"))
        var answers: [String: [String]] = [:]
        for email in ["known@example.com", "nobody@example.com"] {
            for _ in 0..<5 {
                do { _ = try await accounts.signIn(email: email, password: "wrong guess") } catch { answers[email, default: []].append("\(error)") }
            }
        }
        #expect(answers["known@example.com"] == answers["nobody@example.com"])
        #expect(answers["nobody@example.com"]?.last == "Too many failed attempts: try again in 2 seconds.")
        await database.close()
    }
}

@Suite struct BcryptGateTests {
    @Test func atMostTheLimitRunsAtOnceAndTheRestWaitTheirTurn() async throws {
        let hasher = PasswordHasher(cost: 6, concurrency: 1)
        let hashes = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<6 { group.addTask { try await hasher.hash("password number \(index)") } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(hashes.count == 6)
        #expect(hasher.peakConcurrency == 1)

        let wider = PasswordHasher(cost: 6, concurrency: 3)
        _ = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<9 { group.addTask { try await wider.hash("password number \(index)") } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect((1...3).contains(wider.peakConcurrency))
    }

    @Test func beyondTheWaitingRoomTheAnswerIsBusy() async throws {
        let gate = BcryptGate(limit: 1, maximumWaiting: 1)
        try await gate.enter()
        let waiter = Task { try await gate.enter() }
        while gate.waitingCount < 1 { await Task.yield() }
        await #expect(throws: PasswordHasher.Busy()) { try await gate.enter() }
        gate.leave()
        try await waiter.value // the one waiting got the place
        #expect(gate.waitingCount == 0)
        gate.leave()
    }
}

@Suite struct EmailConfirmationTests {
    static func topics(_ database: Database) async throws -> [String] {
        try await database.read { sql in
            try await sql.select().column("topic").from("outbox").orderBy("id").all().map { try $0.decode(column: "topic", as: String.self) }
        }
    }

    @Test func aTakenEMailTellsItsOwnerAtMostOnceADayAndChangesNothingElse() async throws {
        let (_, database, vault, clock) = try await TestAccounts.make()
        let accounts = AccountsService(repository: AccountsRepository(database: database), vault: vault, hasher: PasswordHasher(cost: 4),
                                       passwordPolicy: try PasswordPolicy.load(), requiresEmailConfirmation: true, now: { clock.now })
        let form = SignUpForm(name: "Ann Smith", email: "ann@example.com", password: "correct horse battery")
        try await accounts.signUpAwaitingConfirmation(form)
        try await accounts.signUpAwaitingConfirmation(SignUpForm(name: "Mallory", email: "ANN@example.com", password: "another password here"))
        try await accounts.signUpAwaitingConfirmation(form)
        #expect(try await Self.topics(database) == ["account_verify", "account_taken"])
        clock.advance(by: 24 * 3_600)
        try await accounts.signUpAwaitingConfirmation(form)
        #expect(try await Self.topics(database) == ["account_verify", "account_taken", "account_taken"])
        #expect(try await accounts.customer(email: "ann@example.com")?.name == "Ann Smith")
    }

    @Test func anUnconfirmedAccountCannotSignInUntilItsLinkIsUsedOnce() async throws {
        let (_, database, vault, clock) = try await TestAccounts.make()
        let accounts = AccountsService(repository: AccountsRepository(database: database), vault: vault, hasher: PasswordHasher(cost: 4),
                                       passwordPolicy: try PasswordPolicy.load(), requiresEmailConfirmation: true, now: { clock.now })
        try await accounts.signUpAwaitingConfirmation(SignUpForm(name: "Ann Smith", email: "ann@example.com", password: "correct horse battery"))
        await #expect(throws: AccountsError.wrongCredentials) { try await accounts.signIn(email: "ann@example.com", password: "correct horse battery") }
        let sealed = try await database.read { sql in
            try await sql.select().column("payload").from("outbox").where("topic", .equal, SQLBind("account_verify")).first()?.decode(column: "payload", as: String.self)
        }
        let text = try #require(sealed)
        let payload = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])
        let token = try vault.open(try #require(payload["token_sealed"]))
        let session = try await accounts.confirmEmail(token: token)
        #expect(session.customer.email == "ann@example.com")
        await #expect(throws: AccountsService.ConfirmationLinkNotValid()) { try await accounts.confirmEmail(token: token) }
        _ = try await accounts.signIn(email: "ann@example.com", password: "correct horse battery")
    }

    @Test func aConfirmationLinkExpiresAfterADay() async throws {
        let (_, database, vault, clock) = try await TestAccounts.make()
        let accounts = AccountsService(repository: AccountsRepository(database: database), vault: vault, hasher: PasswordHasher(cost: 4),
                                       passwordPolicy: try PasswordPolicy.load(), requiresEmailConfirmation: true, now: { clock.now })
        try await accounts.signUpAwaitingConfirmation(SignUpForm(name: "Ann Smith", email: "ann@example.com", password: "correct horse battery"))
        let sealed = try await database.read { sql in
            try await sql.select().column("payload").from("outbox").first()?.decode(column: "payload", as: String.self)
        }
        let text = try #require(sealed)
        let payload = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])
        clock.advance(by: AccountsService.confirmationLifetime)
        await #expect(throws: AccountsService.ConfirmationLinkNotValid()) { try await accounts.confirmEmail(token: try vault.open(payload["token_sealed"]!)) }
    }
}
