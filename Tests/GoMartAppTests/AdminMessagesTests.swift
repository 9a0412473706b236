import BackOffice
import Foundation
import GoMartApp
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct AdminMessagesTests {
    @Test func aGivenUpMessageIsShownWithItsCauseAndSentAgainByHandWithAnAuditLine() async throws {
        try await withStaffTestApp(configure: {
            // Nothing listens on port 1: every attempt fails, and the first is the last.
            $0.messaging.smtpURL = "smtp://127.0.0.1:1?starttls=off"
            $0.messaging.attempts = 1
        }, framework: .live) { client, addStaff in
            var shopper = Browser()
            _ = try await shopper.get(client, "/account/sign-up")
            _ = try await shopper.post(client, "/account/sign-up", form: [("name", "Grace Hopper"), ("email", "grace@example.com"),
                                                                         ("password", "compiler-pioneer"), ("phone", "")])
            var support = try await signedInStaff(client, addStaff, .support)
            var picker = try await signedInStaff(client, addStaff, .picker)
            #expect(try await picker.get(client, "/admin/messages").status == .forbidden)

            // The worker gives up on the welcome e-mail within its first round.
            let deadline = ContinuousClock.now + .seconds(10)
            var page = ""
            while ContinuousClock.now < deadline {
                page = try await support.get(client, "/admin/messages").text
                if page.contains("Given up") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(page.contains("<td>Confirm e-mail (email)</td>"))
            #expect(page.contains("<td>Given up</td><td>1</td><td>cannot connect to the SMTP server 127.0.0.1:1"))
            #expect(!page.contains("grace@example.com"))
            let id = try #require(page.range(of: #"/admin/messages/(\d+)/retry"#, options: .regularExpression).map { String(page[$0]) }?
                .split(separator: "/")[2])

            #expect(try await picker.post(client, "/admin/messages/\(id)/retry", form: []).status == .forbidden)
            let retried = try await support.post(client, "/admin/messages/\(id)/retry", form: [])
            #expect(retried.status == .seeOther)
            #expect(retried.headers[.location] == "/admin/messages?retried=\(id)")
            var owner = try await signedInStaff(client, addStaff, .owner)
            let audit = try await owner.get(client, "/admin/audit?action=message.retried").text
            #expect(audit.contains("<td>Staff support</td><td>message.retried</td><td>message \(id)</td>"))
        }
    }
}
