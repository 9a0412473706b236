import Foundation
import HummingbirdTesting
import HTTPTypes
import NIOCore
import Testing

@Suite struct BadInputTests {
    static let longSearch = String(repeating: "a", count: 201)

    @Test(arguments: [
        "/aisles/bakery?page=-1", "/aisles/bakery?page=0", "/aisles/bakery?page=abc", "/aisles/bakery?page=99999999999",
        "/aisles/bakery?limit=100000", "/aisles/bakery?sort=cheapest", "/aisles/bakery?in_stock=maybe",
        "/aisles/bakery?page=1&page=2", "/search?q=\(longSearch)", "/search?q=milk&sort=random",
    ])
    func pagesAnswerBadParametersWithA400Page(path: String) async throws {
        try await withTestApp { client in
            try await client.get(path) { response in
                #expect(response.status == .badRequest, "\(path)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.text.contains("Error 400"))
            }
        }
    }

    @Test(arguments: [
        ("/api/v1/products?page=-1", 400, "page"), ("/api/v1/products?page=abc", 400, "page"),
        ("/api/v1/products?limit=100000", 400, "limit"), ("/api/v1/products?limit=0", 400, "limit"),
        ("/api/v1/products?sort=bogus", 400, "sort"), ("/api/v1/products?q=\(longSearch)", 400, "q"),
        ("/api/v1/products?aisle=a&aisle=b", 400, "aisle"), ("/api/v1/products/not-a-uuid", 400, "id"),
        ("/api/v1/products/4f1c2b1e-0000-4000-8000-000000000000", 404, nil), ("/api/v1/products?aisle=nowhere", 404, nil),
        ("/api/v1/no-such-endpoint", 404, nil),
    ] as [(String, Int, String?)])
    func apiAnswersBadInputWithProblemDetails(path: String, status: Int, parameter: String?) async throws {
        try await withTestApp { client in
            try await client.get(path) { response in
                #expect(Int(response.status.code) == status, "\(path)")
                #expect(response.headers[.contentType] == "application/problem+json")
                let problem = try response.json()
                #expect(problem["status"] as? Int == status)
                #expect((problem["title"] as? String)?.isEmpty == false)
                #expect(problem["instance"] as? String == String(path.split(separator: "?")[0]))
                #expect(problem["parameter"] as? String == parameter)
            }
        }
    }

    @Test func searchTextCannotInjectQuerySyntaxOrMarkup() async throws {
        try await withTestApp { client in
            try await client.get("/search?q=%22%3Cscript%3Ealert(1)%3C%2Fscript%3E%22+OR+*") { response in
                #expect(response.status == .ok)
                #expect(!response.text.contains("<script>alert(1)"))
                #expect(response.text.contains("&lt;script&gt;"))
            }
        }
    }
}
