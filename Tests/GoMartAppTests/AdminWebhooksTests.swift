import BackOffice
import Foundation
import GoMartApp
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct AdminWebhooksTests {
    @Test func ownersAndManagersRegisterEndpointsSeeTheSecretOnceAndTurnThemOff() async throws {
        try await withStaffTestApp { client, addStaff in
            var manager = try await signedInStaff(client, addStaff, .manager)
            var picker = try await signedInStaff(client, addStaff, .picker)
            #expect(try await picker.get(client, "/admin/webhooks").status == .forbidden)

            // The shop's own network is refused.
            let refused = try await manager.post(client, "/admin/webhooks", form: [("url", "http://127.0.0.1:9180/metrics"), ("event", "order.paid")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("is an internal address (127.0.0.1); the shop does not post to its own network"))

            let created = try await manager.post(client, "/admin/webhooks", form: [("url", "https://93.184.215.14/hooks"), ("event", "order.paid"),
                                                                                   ("event", "order.refunded")])
            #expect(created.status == .created)
            let secret = try #require(created.text.range(of: #"whsec_[A-Za-z0-9+/=]+"#, options: .regularExpression).map { String(created.text[$0]) })
            #expect(created.text.contains("<td><a href=\"/admin/webhooks/1\">https://93.184.215.14/hooks</a></td><td>order.paid, order.refunded</td><td>On</td>"))
            // Shown once: the list and the endpoint's page never show it again.
            #expect(!(try await manager.get(client, "/admin/webhooks").text.contains(secret)))
            #expect(!(try await manager.get(client, "/admin/webhooks/1").text.contains(secret)))

            let off = try await manager.post(client, "/admin/webhooks/1/enabled", form: [("enabled", "0")])
            #expect(off.headers[.location] == "/admin/webhooks/1")
            #expect(try await manager.get(client, "/admin/webhooks/1").text.contains("<dt>State</dt><dd>Off: turned off by staff</dd>"))
            var owner = try await signedInStaff(client, addStaff, .owner)
            let audit = try await owner.get(client, "/admin/audit?subject=webhook").text
            #expect(audit.contains("<td>webhook.added</td><td>webhook 1</td>"))
            #expect(audit.contains("<td>webhook.changed</td><td>webhook 1</td>"))
        }
    }
}
