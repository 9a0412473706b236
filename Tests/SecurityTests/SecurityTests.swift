import Crypto
import Foundation
import Security
import Testing

@Suite struct PersonalDataVaultTests {
    let keys = SecretKeys(master: SymmetricKey(size: .bits256))

    @Test func sealsSoThatOnlyTheKeyOpens() throws {
        let vault = PersonalDataVault(keys: keys)
        let other = PersonalDataVault(keys: SecretKeys(master: SymmetricKey(size: .bits256)))

        let sealed = try vault.seal("Ada Lovelace, 12 Analytical Row")

        #expect(!sealed.contains("Ada"))
        #expect(try vault.open(sealed) == "Ada Lovelace, 12 Analytical Row")
        #expect(throws: PersonalDataVault.OpenError.self) { try other.open(sealed) }
    }

    @Test func sealingTwiceGivesDifferentCiphertexts() throws {
        let vault = PersonalDataVault(keys: keys)
        #expect(try vault.seal("same") != vault.seal("same"))
    }

    @Test func tamperingIsDetected() throws {
        let vault = PersonalDataVault(keys: keys)
        var bytes = Data(base64Encoded: String(try vault.seal("07700 900123").dropFirst(3)))!
        bytes[bytes.count / 2] ^= 0x01
        #expect(throws: PersonalDataVault.OpenError.self) { try vault.open("v1." + bytes.base64EncodedString()) }
        #expect(throws: PersonalDataVault.OpenError.self) { try vault.open("not sealed") }
    }

    @Test func blindIndexesAreStableKeyedAndOpaque() {
        let vault = PersonalDataVault(keys: keys)
        let other = PersonalDataVault(keys: SecretKeys(master: SymmetricKey(size: .bits256)))
        #expect(vault.blindIndex("ada@example.com") == vault.blindIndex("ada@example.com"))
        #expect(vault.blindIndex("ada@example.com") != vault.blindIndex("bob@example.com"))
        #expect(vault.blindIndex("ada@example.com") != other.blindIndex("ada@example.com"))
        // Opaque: a 256-bit keyed hash in hex, not the address. (A check for the substring "ada"
        // would fail by chance in about 1.5% of runs: hex digits include a and d.)
        let index = vault.blindIndex("ada@example.com")
        #expect(index.count == 64)
        #expect(index.allSatisfy { $0.isHexDigit })
        #expect(!index.contains("@"))
        #expect(!index.contains("example"))
    }
}

@Suite struct SecretKeysTests {
    @Test func createsAPrivateKeyFileOnceAndReusesIt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("secret.key").path

        let first = try SecretKeys.loadOrCreateKeyFile(at: path)
        let second = try SecretKeys.loadOrCreateKeyFile(at: path)

        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(permissions?.intValue == 0o600)
        #expect(first == second)
    }

    @Test func refusesAKeyFileOthersCanRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("secret.key").path
        _ = try SecretKeys.loadOrCreateKeyFile(at: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)

        #expect(throws: SecretKeys.LoadError.insecurePermissions(path: path)) { try SecretKeys.loadOrCreateKeyFile(at: path) }
    }

    @Test func rejectsMalformedConfiguredKeys() {
        #expect(throws: SecretKeys.LoadError.self) { try SecretKeys.master(base64: "c2hvcnQ=", source: "GOMART_SECRET_KEY") }
        #expect(throws: SecretKeys.LoadError.self) { try SecretKeys.master(base64: "not base64!", source: "GOMART_SECRET_KEY") }
    }
}

@Suite struct CSRFTokenTests {
    @Test func tokensAreBoundToTheVisitor() {
        let csrf = CSRFTokens(keys: SecretKeys(master: SymmetricKey(size: .bits256)))
        let token = csrf.token(for: "visitor-a")
        #expect(csrf.isValid(token, for: "visitor-a"))
        #expect(!csrf.isValid(token, for: "visitor-b"))
        #expect(!csrf.isValid(nil, for: "visitor-a"))
        #expect(!csrf.isValid("", for: "visitor-a"))
        let last = token.last
        #expect(!csrf.isValid(String(token.dropLast()) + (last == "A" ? "B" : "A"), for: "visitor-a"))
    }

    @Test func randomTokensAreLongAndDistinct() {
        let tokens = (0..<100).map { _ in RandomToken.make(bytes: 32) }
        #expect(Set(tokens).count == 100)
        #expect(tokens.allSatisfy { $0.count == 43 })
        #expect(RandomToken.hash("x") == RandomToken.hash("x"))
        #expect(RandomToken.hash("x") != "x")
    }
}
