import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The header's account links are written without a template; they must escape like one.
@Suite struct ShopperNavTests {
    @Test func namesAreEscapedInTheHeader() async throws {
        try await withTestApp { client in
            var browser = Browser()
            _ = try await browser.get(client, "/account/sign-up")
            let signedUp = try await browser.post(client, "/account/sign-up", form: [
                ("name", "<b>O'Neil & \"Co\"</b> Smith"), ("email", "oneil@example.com"), ("password", "a long enough password"), ("phone", ""),
            ])
            #expect(signedUp.status == .seeOther)
            let page = try await browser.get(client, "/")
            #expect(page.text.contains("Hi, &lt;b&gt;O&#39;Neil"))
            #expect(!page.text.contains("<b>O'Neil"))
        }
    }
}
