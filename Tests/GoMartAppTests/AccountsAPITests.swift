import API
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

@Suite struct AccountsAPITests {
    let validator = try! OpenAPISchemaValidator(data: OpenAPIDocument.data())

    func send(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, token: String? = nil
    ) async throws -> (status: Int, body: [String: Any]) {
        var headers = HTTPFields()
        if json != nil { headers[.contentType] = "application/json" }
        if let token { headers[.authorization] = "Bearer \(token)" }
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        let status = Int(response.status.code)
        guard response.body.readableBytes > 0 else { return (status, [:]) }
        let parsed = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
        let path = String(uri.dropFirst("/api/v1".count))
        let contentType = status < 400 ? "application/json" : "application/problem+json"
        let schema = try #require(validator.responseSchema(path: path, method: method.rawValue.lowercased(), status: status, contentType: contentType),
                                  "undocumented: \(method) \(path) \(status)")
        #expect(validator.validate(parsed, against: schema) == [], "\(method) \(uri)")
        return (status, parsed as? [String: Any] ?? [:])
    }

    @Test func signUpSignInMeAndSignOut() async throws {
        try await withTestApp { client in
            let created = try await send(client, .post, "/api/v1/customers",
                                         json: #"{"name":"Alan Turing","email":"alan@example.com","password":"enigma-machine"}"#)
            #expect(created.status == 201)
            let firstToken = try #require(created.body["token"] as? String)

            let signedIn = try await send(client, .post, "/api/v1/sessions", json: #"{"email":"alan@example.com","password":"enigma-machine"}"#)
            #expect(signedIn.status == 201)
            let token = try #require(signedIn.body["token"] as? String)
            #expect(token != firstToken)

            let me = try await send(client, .get, "/api/v1/me", token: token)
            #expect(me.status == 200)
            #expect(me.body["email"] as? String == "alan@example.com")

            let signedOut = try await send(client, .delete, "/api/v1/sessions/current", token: token)
            #expect(signedOut.status == 204)
            let afterwards = try await send(client, .get, "/api/v1/me", token: token)
            #expect(afterwards.status == 401)
            let other = try await send(client, .get, "/api/v1/me", token: firstToken)
            #expect(other.status == 200) // only the signed-out session ended
        }
    }

    @Test func badRequestsGetClearProblems() async throws {
        try await withTestApp { client in
            let invalid = try await send(client, .post, "/api/v1/customers", json: #"{"name":"","email":"x","password":"123"}"#)
            #expect(invalid.status == 422)
            #expect(Set((invalid.body["errors"] as? [String: String] ?? [:]).keys) == ["name", "email", "password"])

            let malformed = try await send(client, .post, "/api/v1/customers", json: #"{"name": 5"#)
            #expect(malformed.status == 400)

            _ = try await send(client, .post, "/api/v1/customers", json: #"{"name":"A","email":"a@example.com","password":"long enough pass"}"#)
            let duplicate = try await send(client, .post, "/api/v1/customers", json: #"{"name":"B","email":"A@example.com","password":"long enough pass"}"#)
            #expect(duplicate.status == 409)

            let wrong = try await send(client, .post, "/api/v1/sessions", json: #"{"email":"a@example.com","password":"nope nope nope"}"#)
            #expect(wrong.status == 401)
            let anonymous = try await send(client, .get, "/api/v1/me")
            #expect(anonymous.status == 401)
            let bogus = try await send(client, .delete, "/api/v1/sessions/current", token: "bogus")
            #expect(bogus.status == 401)
        }
    }

    @Test func theAPIIgnoresSessionCookies() async throws {
        try await withTestApp { client in
            let created = try await send(client, .post, "/api/v1/customers", json: #"{"name":"C","email":"c@example.com","password":"long enough pass"}"#)
            let token = try #require(created.body["token"] as? String)
            let response = try await client.executeRequest(uri: "/api/v1/me", method: .get, headers: [.cookie: "__Host-gm_session=\(token)"], body: nil)
            #expect(response.status == .unauthorized)
        }
    }
}

@Suite struct PasswordChangeAPITests {
    let api = OrdersAPITests()

    @Test func theAPIChangesThePasswordEndingOtherTokensAndSignsOutEverywhere() async throws {
        try await withTestApp { client in
            let created = try await api.call(client, .post, "/api/v1/customers",
                                             json: #"{"name":"Api","email":"api-pw@example.com","password":"a good long password"}"#, documentedPath: "/customers")
            let first = try #require(created.body["token"] as? String)
            let second = try #require(try await api.call(client, .post, "/api/v1/sessions",
                                                          json: #"{"email":"api-pw@example.com","password":"a good long password"}"#,
                                                          documentedPath: "/sessions").body["token"] as? String)
            let wrong = try await api.call(client, .put, "/api/v1/me/password", json: #"{"currentPassword":"nope","newPassword":"a new long password"}"#,
                                           token: first, documentedPath: "/me/password")
            #expect(wrong.status == 422)
            var headers = HTTPFields()
            headers[.authorization] = "Bearer \(first)"
            headers[.contentType] = "application/json"
            let changed = try await client.executeRequest(uri: "/api/v1/me/password", method: .put, headers: headers,
                                                          body: ByteBuffer(string: #"{"currentPassword":"a good long password","newPassword":"a new long password"}"#))
            #expect(changed.status == .noContent)
            #expect(try await api.call(client, .get, "/api/v1/me", token: first, documentedPath: "/me").status == 200)
            #expect(try await api.call(client, .get, "/api/v1/me", token: second, documentedPath: "/me").status == 401)

            var everywhere = HTTPFields()
            everywhere[.authorization] = "Bearer \(first)"
            #expect(try await client.executeRequest(uri: "/api/v1/sessions", method: .delete, headers: everywhere, body: nil).status == .noContent)
            #expect(try await api.call(client, .get, "/api/v1/me", token: first, documentedPath: "/me").status == 401)
        }
    }
}
