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
        // The same bytes spelt differently (the last character's two spare bits set) are refused too.
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let index = alphabet.firstIndex(of: last!)!
        #expect(!csrf.isValid(String(token.dropLast()) + String(alphabet[index | 1]), for: "visitor-a"))
    }

    @Test func onlyVisitorIdsTheShopIssuedAreGenuine() {
        let csrf = CSRFTokens(keys: SecretKeys(master: SymmetricKey(size: .bits256)))
        let id = csrf.newVisitorID()
        #expect(csrf.isGenuineVisitorID(id))
        #expect(csrf.newVisitorID() != id)
        let random = String(id.prefix(22))
        #expect(!csrf.isGenuineVisitorID(random)) // unsigned, as clients used to be able to choose
        #expect(!csrf.isGenuineVisitorID(random + "." + String(repeating: "A", count: 22)))
        #expect(!csrf.isGenuineVisitorID(RandomToken.make(bytes: 16) + String(id.suffix(23)))) // another id's signature
        #expect(!CSRFTokens(keys: SecretKeys(master: SymmetricKey(size: .bits256))).isGenuineVisitorID(id)) // another shop's
    }

    @Test func aGenuineVisitorsTokenIsRememberedAndAForgedIdNeverGetsOne() {
        let csrf = CSRFTokens(keys: SecretKeys(master: SymmetricKey(size: .bits256)))
        let id = csrf.newVisitorID()
        #expect(csrf.anonymousToken(forGenuineVisitor: id) == csrf.token(for: id))
        #expect(csrf.anonymousToken(forGenuineVisitor: id) == csrf.token(for: id)) // the remembered one
        let forged = String(id.prefix(22)) + "." + String(repeating: "A", count: 22)
        #expect(csrf.anonymousToken(forGenuineVisitor: forged) == nil)
        #expect(csrf.anonymousToken(forGenuineVisitor: forged) == nil)
        #expect(CSRFTokens(keys: SecretKeys(master: SymmetricKey(size: .bits256))).anonymousToken(forGenuineVisitor: id) == nil)
    }

    @Test func randomTokensAreLongAndDistinct() {
        let tokens = (0..<100).map { _ in RandomToken.make(bytes: 32) }
        #expect(Set(tokens).count == 100)
        #expect(tokens.allSatisfy { $0.count == 43 })
        #expect(RandomToken.hash("x") == RandomToken.hash("x"))
        #expect(RandomToken.hash("x") != "x")
    }
}

@Suite struct OneTimePasswordTests {
    /// RFC 6238, appendix B: SHA-1, the 20-byte ASCII secret "12345678901234567890", 8 digits.
    @Test(arguments: [
        (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
    ] as [(Int64, String)])
    func matchesTheRFCsTestVectors(time: Int64, code: String) {
        let generator = OneTimePassword(secret: Array("12345678901234567890".utf8), digits: 8)
        #expect(generator.code(at: Date(timeIntervalSince1970: TimeInterval(time))) == code)
    }

    @Test func acceptsTheStepEitherSideAndNothingElse() {
        let generator = OneTimePassword(secret: Array("12345678901234567890".utf8))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let step = generator.step(at: now)
        #expect(generator.matchingStep(of: generator.code(forStep: step), at: now) == step)
        #expect(generator.matchingStep(of: generator.code(forStep: step - 1), at: now) == step - 1)
        #expect(generator.matchingStep(of: generator.code(forStep: step + 1), at: now) == step + 1)
        #expect(generator.matchingStep(of: generator.code(forStep: step - 2), at: now) == nil)
        #expect(generator.matchingStep(of: "12345", at: now) == nil)
        #expect(generator.matchingStep(of: "abcdef", at: now) == nil)
    }

    @Test func base32MatchesRFC4648() {
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(Base32.encode(Array("f".utf8)) == "MY")
        #expect(Base32.decode("MZXW6YTBOI======") == Array("foobar".utf8))
        #expect(Base32.decode("mzxw 6ytb oi") == Array("foobar".utf8))
        #expect(Base32.decode("MZ1") == nil)
        let uri = OneTimePassword(secret: Array("foobar".utf8)).provisioningURI(issuer: "GoMart", account: "owner@example.com")
        #expect(uri == "otpauth://totp/GoMart:owner@example.com?secret=MZXW6YTBOI&issuer=GoMart&algorithm=SHA1&digits=6&period=30")
    }
}
