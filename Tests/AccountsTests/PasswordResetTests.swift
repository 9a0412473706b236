import Accounts
import Foundation
import SQLKit
import Security
import Storage
import TestSupport
import Testing

@Suite struct PasswordResetTests {
    static let form = SignUpForm(name: "Ada Lovelace", email: "ada@example.com", password: "analytical engine")

    @Test func aLinkIsIssuedOnlyForAnAccountAndStoredOnlyAsItsHash() async throws {
        let (accounts, database, _, clock) = try await TestAccounts.make()
        _ = try await accounts.signUp(Self.form)
        #expect(try await accounts.passwordReset.request(email: "nobody@example.com") == nil)
        let issued = try #require(try await accounts.passwordReset.request(email: " ADA@example.com"))
        #expect(issued.token.count == 43) // 256 bits in base64url
        #expect(issued.customer.email == "ada@example.com")
        #expect(issued.expiresAt == clock.now.addingTimeInterval(30 * 60))
        let stored = try await database.read { sql in
            try await sql.select().column("token_hash").from("password_resets").all().map { try $0.decode(column: "token_hash", as: String.self) }
        }
        #expect(stored == [RandomToken.hash(issued.token)])
        await database.close()
    }

    @Test func usingALinkSetsThePasswordEndsEverySessionAndWorksOnce() async throws {
        let (accounts, database, _, _) = try await TestAccounts.make()
        let first = try await accounts.signUp(Self.form)
        let second = try await accounts.signIn(email: "ada@example.com", password: "analytical engine")
        let issued = try #require(try await accounts.passwordReset.request(email: "ada@example.com"))
        // A password the policy refuses leaves the link usable.
        await #expect(throws: AccountsError.invalidFields(["new_password": "Your new password must be at least 8 characters."])) {
            try await accounts.passwordReset.complete(token: issued.token, newPassword: "short")
        }
        try await accounts.passwordReset.complete(token: issued.token, newPassword: "difference engine")
        #expect(try await accounts.session(token: first.token) == nil)
        #expect(try await accounts.session(token: second.token) == nil)
        await #expect(throws: AccountsError.wrongCredentials) { try await accounts.signIn(email: "ada@example.com", password: "analytical engine") }
        _ = try await accounts.signIn(email: "ada@example.com", password: "difference engine")
        await #expect(throws: PasswordReset.LinkNotValid()) {
            try await accounts.passwordReset.complete(token: issued.token, newPassword: "another long password")
        }
        await database.close()
    }

    @Test func aLinkExpiresAfterThirtyMinutesAndANewOneVoidsTheOld() async throws {
        let (accounts, database, _, clock) = try await TestAccounts.make()
        _ = try await accounts.signUp(Self.form)
        let old = try #require(try await accounts.passwordReset.request(email: "ada@example.com"))
        let new = try #require(try await accounts.passwordReset.request(email: "ada@example.com"))
        await #expect(throws: PasswordReset.LinkNotValid()) { try await accounts.passwordReset.complete(token: old.token, newPassword: "difference engine") }
        clock.advance(by: 30 * 60 + 1)
        await #expect(throws: PasswordReset.LinkNotValid()) { try await accounts.passwordReset.complete(token: new.token, newPassword: "difference engine") }
        await database.close()
    }

    @Test func atMostThreeLinksAnHourPerAccount() async throws {
        let (accounts, database, _, clock) = try await TestAccounts.make()
        _ = try await accounts.signUp(Self.form)
        var issued: [Bool] = []
        for _ in 0..<4 { issued.append(try await accounts.passwordReset.request(email: "ada@example.com") != nil) }
        #expect(issued == [true, true, true, false])
        clock.advance(by: 3_601)
        #expect(try await accounts.passwordReset.request(email: "ada@example.com") != nil)
        await database.close()
    }

    @Test func aResetLiftsASignInLock() async throws {
        let (accounts, database, _, _) = try await TestAccounts.make()
        _ = try await accounts.signUp(Self.form)
        for _ in 0..<4 { _ = try? await accounts.signIn(email: "ada@example.com", password: "wrong guess") }
        await #expect(throws: SignInThrottle.Locked.self) { try await accounts.signIn(email: "ada@example.com", password: "analytical engine") }
        let issued = try #require(try await accounts.passwordReset.request(email: "ada@example.com"))
        try await accounts.passwordReset.complete(token: issued.token, newPassword: "difference engine")
        _ = try await accounts.signIn(email: "ada@example.com", password: "difference engine")
        await database.close()
    }

    @Test func twoRacingUsesOfOneLinkCannotBothSucceed() async throws {
        let (accounts, database, _, _) = try await TestAccounts.make()
        _ = try await accounts.signUp(Self.form)
        let issued = try #require(try await accounts.passwordReset.request(email: "ada@example.com"))
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for password in ["first new password", "second new password", "third new password"] {
                group.addTask {
                    do { try await accounts.passwordReset.complete(token: issued.token, newPassword: password); return true }
                    catch is PasswordReset.LinkNotValid { return false }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        await database.close()
    }
}
