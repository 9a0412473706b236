import Testing
import Web

@Suite struct LocalPathTests {
    @Test(arguments: ["/cart", "/orders/3f2a?placed=1", "/search?q=semi%20skimmed", "/admin/orders"])
    func pathsOnThisSiteAreKept(path: String) {
        #expect(LocalPath.safe(path) == path)
    }

    @Test(arguments: [
        "//evil.example/", "/\t/evil.example/", "/\n/evil.example/", "/\r/evil.example/", "/ /evil.example/", "/\\evil.example",
        "https://evil.example/", "evil.example", "/\u{0}/evil.example", "/\u{7F}/x", "/caf\u{E9}", "",
    ])
    func anythingThatCouldLeaveTheSiteIsRefused(path: String) {
        #expect(LocalPath.safe(path) == "")
    }
}
