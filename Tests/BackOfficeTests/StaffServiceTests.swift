import Accounts
@testable import BackOffice
import Foundation
import GoMartModels
import Security
import SQLKit
import Storage
import TestSupport
import Testing

/// Staff services over a fresh database, with a clock tests move.
func makeStaff() async throws -> (service: StaffService, database: Database, clock: TestAccounts.Clock) {
    let database = try await TestDatabase.migrated()
    let clock = TestAccounts.Clock()
    let service = StaffService(
        repository: StaffRepository(database: database),
        vault: PersonalDataVault(keys: try SecretKeys.resolve(configuredBase64: nil, source: "test", keyFilePath: nil)),
        hasher: PasswordHasher(cost: 4), passwordPolicy: try PasswordPolicy.load(), now: { clock.now }
    )
    return (service, database, clock)
}

@Suite struct StaffRoleTests {
    @Test func eachRoleGrantsExactlyWhatTheBackOfficeNeedsOfIt() {
        let expected: [StaffRole: Set<StaffPermission>] = [
            .owner: Set(StaffPermission.allCases),
            .manager: [.editCatalogue, .adjustStock, .viewOrders, .pickOrders, .deliverOrders, .cancelOrders, .refundOrders,
                       .viewCustomers, .addNotes, .viewReports, .manageWebhooks, .manageSlots, .managePromotions],
            .picker: [.viewOrders, .pickOrders],
            .driver: [.viewOrders, .deliverOrders],
            .support: [.viewOrders, .viewCustomers, .cancelOrders, .addNotes, .handleCustomerData],
        ]
        for role in StaffRole.allCases {
            #expect(role.permissions == expected[role], "\(role)")
        }
        #expect(StaffRole.allCases.filter(\.requiresTwoFactor) == [.owner, .manager])
    }
}

@Suite struct StaffServiceTests {
    @Test func addsStaffWithSealedDetailsAndRefusesADuplicate() async throws {
        let (staff, database, _) = try await makeStaff()
        #expect(try await staff.count() == 0)

        let owner = try await staff.add(email: " Grace@Example.com ", name: "Grace Hopper", password: "compiler pioneer", role: .owner, by: .commandLine).member

        #expect(owner.email == "grace@example.com")
        #expect(owner.role == .owner)
        #expect(try await staff.count() == 1)
        let stored = try await database.read { sql in
            try await sql.raw("SELECT email_sealed, name_sealed, email_index, password_hash, totp_secret_sealed FROM staff_members").first()
        }
        let text = try ["email_sealed", "name_sealed", "email_index", "password_hash", "totp_secret_sealed"]
            .map { try stored?.decode(column: $0, as: String.self) ?? "" }
            .joined(separator: " ").lowercased()
        #expect(!text.contains("grace@example.com"))
        #expect(!text.contains("hopper"))
        await #expect(throws: StaffError.emailTaken) {
            try await staff.add(email: "grace@example.com", name: "Another Grace", password: "another long password", role: .support, by: .commandLine)
        }
        // Staff and customers never share a table: the customers table is untouched.
        #expect(try await database.read { sql in try await sql.raw("SELECT COUNT(*) AS n FROM customers").first()?.decode(column: "n", as: Int.self) } == 0)
        await database.close()
    }

    @Test func refusesBadFieldsAllAtOnce() async throws {
        let (staff, database, _) = try await makeStaff()
        await #expect(throws: StaffError.invalidFields([
            "email": "must be an e-mail address such as name@example.com", "name": "must be 1 to 100 characters",
            "password": "must be at least 8 characters",
        ])) {
            try await staff.add(email: "not an address", name: " ", password: "short", role: .picker, by: .commandLine)
        }
        await database.close()
    }

    @Test func signsInChecksRightsAndEndsSessions() async throws {
        let (staff, database, clock) = try await makeStaff()
        try await staff.add(email: "pat@example.com", name: "Pat Picker", password: "picking all day long", role: .picker, by: .commandLine)

        await #expect(throws: StaffError.wrongCredentials) { try await staff.signIn(email: "pat@example.com", password: "wrong password here") }
        await #expect(throws: StaffError.wrongCredentials) { try await staff.signIn(email: "nobody@example.com", password: "picking all day long") }
        let session = try await staff.signIn(email: "PAT@example.com", password: "picking all day long")
        let member = try #require(try await staff.member(sessionToken: session.token))
        #expect(member.name == "Pat Picker")

        try staff.authorize(member, to: .pickOrders)
        #expect(throws: StaffError.forbidden(.refundOrders)) { try staff.authorize(member, to: .refundOrders) }
        #expect(throws: StaffError.forbidden(.manageStaff)) { try staff.authorize(member, to: .manageStaff) }

        // 29 minutes idle is fine; then 30 more is not.
        clock.advance(by: 29 * 60)
        #expect(try await staff.member(sessionToken: session.token) != nil)
        clock.advance(by: 30 * 60)
        #expect(try await staff.member(sessionToken: session.token) == nil)

        // Busy all day, a session still ends 12 hours after sign-in.
        let day = try await staff.signIn(email: "pat@example.com", password: "picking all day long")
        for _ in 0..<25 { // 25 × 29 minutes: just over 12 hours
            clock.advance(by: 29 * 60)
            _ = try await staff.member(sessionToken: day.token)
        }
        #expect(try await staff.member(sessionToken: day.token) == nil)

        let again = try await staff.signIn(email: "pat@example.com", password: "picking all day long")
        try await staff.signOut(sessionToken: again.token)
        #expect(try await staff.member(sessionToken: again.token) == nil)
        await database.close()
    }
}

@Suite struct StaffTwoFactorTests {
    @Test func ownersSignInWithACodeFromTheirAppEachCodeOnce() async throws {
        let (staff, database, clock) = try await makeStaff()
        let enrolment = try await staff.add(email: "olive@example.com", name: "Olive Owner", password: "a long owner password", role: .owner, by: .commandLine)
        let factor = try #require(enrolment.secondFactor)
        #expect(factor.recoveryCodes.count == 10)
        #expect(Set(factor.recoveryCodes).count == 10)
        #expect(factor.recoveryCodes.allSatisfy { $0.count == 11 && $0.dropFirst(5).first == "-" })
        #expect(factor.provisioningURI == "otpauth://totp/GoMart:olive@example.com?secret=\(factor.secret)&issuer=GoMart&algorithm=SHA1&digits=6&period=30")
        let app = OneTimePassword(secret: try #require(Base32.decode(factor.secret)))

        await #expect(throws: StaffError.oneTimeCodeRequired) { try await staff.signIn(email: "olive@example.com", password: "a long owner password") }
        await #expect(throws: StaffError.wrongCredentials) {
            try await staff.signIn(email: "olive@example.com", password: "not the password", oneTimeCode: app.code(at: clock.now))
        }
        let wrongCode = app.code(at: clock.now) == "000000" ? "111111" : "000000"
        await #expect(throws: StaffError.wrongOneTimeCode) {
            try await staff.signIn(email: "olive@example.com", password: "a long owner password", oneTimeCode: wrongCode)
        }
        let code = app.code(at: clock.now)
        let session = try await staff.signIn(email: "olive@example.com", password: "a long owner password", oneTimeCode: code)
        #expect(session.member.role == .owner)
        // The same code again, even within its 30 seconds, is refused: a code seen once is spent.
        await #expect(throws: StaffError.wrongOneTimeCode) {
            try await staff.signIn(email: "olive@example.com", password: "a long owner password", oneTimeCode: code)
        }
        clock.advance(by: 30)
        _ = try await staff.signIn(email: "olive@example.com", password: "a long owner password", oneTimeCode: app.code(at: clock.now))
        await database.close()
    }

    @Test func aRecoveryCodeWorksOnceInsteadOfTheApp() async throws {
        let (staff, database, _) = try await makeStaff()
        let factor = try #require(try await staff.add(email: "max@example.com", name: "Max Manager", password: "a long manager password",
                                                      role: .manager, by: .commandLine).secondFactor)
        let recovery = factor.recoveryCodes[3]
        _ = try await staff.signIn(email: "max@example.com", password: "a long manager password", oneTimeCode: recovery.lowercased())
        await #expect(throws: StaffError.wrongOneTimeCode) {
            try await staff.signIn(email: "max@example.com", password: "a long manager password", oneTimeCode: recovery)
        }
        await database.close()
    }

    @Test func pickersDriversAndSupportNeedNoSecondFactor() async throws {
        let (staff, database, _) = try await makeStaff()
        for (index, role) in [StaffRole.picker, .driver, .support].enumerated() {
            let enrolment = try await staff.add(email: "staff\(index)@example.com", name: "Staff \(index)", password: "a long staff password", role: role, by: .commandLine)
            #expect(enrolment.secondFactor == nil)
            _ = try await staff.signIn(email: "staff\(index)@example.com", password: "a long staff password")
        }
        await database.close()
    }
}

@Suite struct AuditLogTests {
    @Test func addingStaffIsRecordedSealedAndOnlyOwnersReadIt() async throws {
        let (staff, database, clock) = try await makeStaff()
        let owner = try await staff.add(email: "olive@example.com", name: "Olive Owner", password: "a long owner password", role: .owner, by: .commandLine)
        clock.advance(by: 60)
        let picker = try await staff.add(email: "pat@example.com", name: "Pat Picker", password: "a long picker password", role: .picker,
                                         by: .staff(owner.member))

        let entries = try await staff.auditLog(for: owner.member)
        #expect(entries == [
            AuditEntry(at: clock.now, actor: "Olive Owner", action: .staffAdded, subject: "staff \(picker.member.id.publicString)", before: [:],
                       after: ["email": "pat@example.com", "name": "Pat Picker", "role": "picker"]),
            AuditEntry(at: clock.now.addingTimeInterval(-60), actor: "command line", action: .staffAdded, subject: "staff \(owner.member.id.publicString)",
                       before: [:], after: ["email": "olive@example.com", "name": "Olive Owner", "role": "owner"]),
        ])
        // Who and what may be personal data: sealed at rest.
        let stored = try await database.read { sql in try await sql.raw("SELECT actor_sealed, changes_sealed FROM audit_log").all() }
        let text = try stored.map { try $0.decode(column: "actor_sealed", as: String.self) + $0.decode(column: "changes_sealed", as: String.self) }.joined()
        #expect(!text.contains("Olive"))
        #expect(!text.contains("pat@example.com"))

        await #expect(throws: StaffError.forbidden(.readAuditLog)) { try await staff.auditLog(for: picker.member) }
        // Only those who may manage staff add staff; a refused add writes nothing, not even a log line.
        await #expect(throws: StaffError.forbidden(.manageStaff)) {
            try await staff.add(email: "dan@example.com", name: "Dan Driver", password: "a long driver password", role: .driver, by: .staff(picker.member))
        }
        #expect(try await staff.count() == 2)
        #expect(try await staff.auditLog(for: owner.member).count == 2)
        await database.close()
    }
}
