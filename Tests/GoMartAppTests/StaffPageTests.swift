import BackOffice
import Accounts
import Foundation
import GoMartModels
import GoMartApp
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Security
import Storage
import TestSupport
import Testing

/// The test shop on a database that the test can reach too (a file, or a PostgreSQL schema), with
/// a way to add staff to it as `gomart staff add` would.
func withStaffTestApp(
    configure: (inout GoMartConfiguration) -> Void = { _ in },
    framework: TestingSetup = .router,
    _ test: @escaping @Sendable (any TestClientProtocol, _ addStaff: @escaping @Sendable (String, StaffRole) async throws -> StaffEnrolment) async throws -> Void
) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gomart-staff-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    var configuration = GoMartConfiguration.forTests(databaseURL: .sqliteFile(path: folder.appendingPathComponent("gomart.sqlite").path))
    configuration.persistence.dataDirectory = folder.path
    configuration.server.publicBaseURL = "https://shop.example"
    if let postgres = TestDatabase.postgresURL {
        configuration.persistence.databaseURL = .postgres(url: postgres)
        configuration.persistence.databaseSchema = try await TestDatabase.makeSchema()
    }
    configure(&configuration)
    let settings = configuration
    try await withTestApp(configure: { $0 = settings }, framework: framework) { client in
        try await test(client) { email, role in
            try await Database.withOpened(url: settings.persistence.databaseURL, postgresSearchPath: settings.persistence.databaseSchema,
                                          logger: TestDatabase.logger) { database in
                let staff = StaffService(
                    repository: StaffRepository(database: database), vault: PersonalDataVault(keys: try loadSecretKeys(settings)),
                    hasher: PasswordHasher(cost: 4), passwordPolicy: try PasswordPolicy.load()
                )
                return try await staff.add(email: email, name: "Staff \(role.rawValue)", password: "a long staff password", role: role, by: .commandLine)
            }
        }
    }
}

@Suite struct StaffPageTests {
    @Test func guestsAndShoppersAreSentToTheStaffSignIn() async throws {
        try await withStaffTestApp { client, _ in
            var browser = Browser()
            let guest = try await browser.get(client, "/admin")
            #expect(guest.status == .seeOther)
            #expect(guest.headers[.location] == "/admin/sign-in?next=%2Fadmin")

            _ = try await browser.get(client, "/account/sign-up")
            _ = try await browser.post(client, "/account/sign-up", form: [("name", "Sam Shopper"), ("email", "sam@example.com"), ("password", "a good long password")])
            #expect(browser.cookies["__Host-gm_session"] != nil)
            let shopper = try await browser.get(client, "/admin")
            #expect(shopper.status == .seeOther)
            #expect(shopper.headers[.location] == "/admin/sign-in?next=%2Fadmin")
            assertSnapshot(of: try await browser.get(client, "/admin/sign-in"), named: "sign-in")
        }
    }

    @Test func aPickerSignsInSeesTheirRightsAndSignsOut() async throws {
        try await withStaffTestApp { client, addStaff in
            _ = try await addStaff("pat@example.com", .picker)
            var browser = Browser()
            _ = try await browser.get(client, "/admin/sign-in")
            let wrong = try await browser.post(client, "/admin/sign-in", form: [("email", "pat@example.com"), ("password", "not the password"), ("next", "/admin")])
            #expect(wrong.status == .unauthorized)
            #expect(String(buffer: wrong.body).contains("The e-mail or password is not right."))

            let signedIn = try await browser.post(client, "/admin/sign-in", form: [("email", "pat@example.com"), ("password", "a long staff password"), ("next", "/admin")])
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers[.location] == "/admin")
            let cookie = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("__Secure-gm_staff=") })
            #expect(cookie.contains("Path=/admin"))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(cookie.contains("Secure"))
            let home = try await browser.get(client, "/admin")
            #expect(home.status == .ok)
            #expect(home.headers[.cacheControl] == "private, no-store")
            let html = String(buffer: home.body)
            #expect(html.contains("Signed in as Staff picker (pat@example.com), picker."))
            #expect(html.contains("<li>Pick and pack orders</li>"))
            #expect(!html.contains("Refund orders"))
            // A staff session is not a shopper's: the shop still sees a guest.
            #expect(try await browser.get(client, "/account").headers[.location] == "/account/sign-in?next=%2Faccount")

            let out = try await browser.post(client, "/admin/sign-out", form: [])
            #expect(out.headers[.location] == "/admin/sign-in")
            #expect(browser.cookies["__Secure-gm_staff"] == nil)
            #expect(try await browser.get(client, "/admin").status == .seeOther)
        }
    }

    @Test func anOwnerNeedsTheCodeFromTheirApp() async throws {
        try await withStaffTestApp { client, addStaff in
            let enrolment = try await addStaff("olive@example.com", .owner)
            let factor = try #require(enrolment.secondFactor)
            let app = OneTimePassword(secret: try #require(Base32.decode(factor.secret)))
            var browser = Browser()
            _ = try await browser.get(client, "/admin/sign-in")
            let noCode = try await browser.post(client, "/admin/sign-in", form: [("email", "olive@example.com"), ("password", "a long staff password")])
            #expect(noCode.status == .unauthorized)
            #expect(String(buffer: noCode.body).contains("Enter the code from your authenticator app, or one of your recovery codes."))
            #expect(browser.cookies["__Secure-gm_staff"] == nil)

            let withCode = try await browser.post(client, "/admin/sign-in", form: [
                ("email", "olive@example.com"), ("password", "a long staff password"), ("code", app.code(at: Date())), ("next", "//evil.example/"),
            ])
            #expect(withCode.status == .seeOther)
            #expect(withCode.headers[.location] == "/admin") // an outside address is never followed
            let html = String(buffer: try await browser.get(client, "/admin").body)
            #expect(html.contains("<li>Manage staff and their roles</li>"))
        }
    }

    @Test func onlyTheOwnerReadsTheAuditLog() async throws {
        try await withStaffTestApp { client, addStaff in
            let owner = try await addStaff("olive@example.com", .owner)
            _ = try await addStaff("pat@example.com", .picker)
            var guest = Browser()
            #expect(try await guest.get(client, "/admin/audit").headers[.location] == "/admin/sign-in?next=%2Fadmin%2Faudit")

            var picker = Browser()
            _ = try await picker.get(client, "/admin/sign-in")
            _ = try await picker.post(client, "/admin/sign-in", form: [("email", "pat@example.com"), ("password", "a long staff password")])
            let refused = try await picker.get(client, "/admin/audit")
            #expect(refused.status == .forbidden)
            #expect(String(buffer: refused.body).contains("Your role does not allow this (read_audit_log)."))

            let factor = try #require(owner.secondFactor)
            var browser = Browser()
            _ = try await browser.get(client, "/admin/sign-in")
            _ = try await browser.post(client, "/admin/sign-in", form: [
                ("email", "olive@example.com"), ("password", "a long staff password"), ("code", factor.recoveryCodes[0]),
            ])
            let log = try await browser.get(client, "/admin/audit?action=staff.added")
            #expect(log.status == .ok)
            let html = String(buffer: log.body)
            #expect(html.contains("<td>command line</td><td>staff.added</td><td>staff \(owner.member.id.publicString)</td>"))
            #expect(html.contains("<div>email: – → pat@example.com</div><div>name: – → Staff picker</div><div>role: – → picker</div>"))
        }
    }
}
