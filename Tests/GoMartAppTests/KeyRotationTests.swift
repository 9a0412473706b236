import Accounts
import BackOffice
import Catalog
import Crypto
import Foundation
import GoMartApp
import Operations
import Logging
import SQLKit
import Security
import Storage
import TestSupport
import Testing

@Suite struct KeyRotationTests {
    /// Every sealed value in the shop, by its key version; each one is opened with `vault`, so
    /// this throws if any cannot be read.
    static func sealedValues(_ database: Database, vault: PersonalDataVault) async throws -> [Int: Int] {
        var versions: [Int: Int] = [:]
        for column in allSealedColumns {
            let values = try await database.read { sql in
                try await sql.select().column(SQLIdentifier(column.column), as: "v").from(column.table)
                    .where(SQLIdentifier(column.column), .isNot, SQLLiteral.null).all().map { try $0.decode(column: "v", as: String.self) }
            }
            for value in values {
                _ = try vault.open(value)
                versions[PersonalDataVault.keyVersion(of: value) ?? 0, default: 0] += 1
            }
        }
        return versions
    }

    @Test func aNewKeyVersionSealsFromItsActivationAndEverythingIsResealedWhileStayingReadable() async throws {
        let database = try await TestDatabase.migrated()
        let master = Data(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }).base64EncodedString()
        var configuration = GoMartConfiguration.forTests()
        configuration.accounts.secretKey = master
        let services = try ShopServices(configuration: configuration, database: database, logger: TestDatabase.logger)
        _ = try await services.catalog.seedDemoCatalogueIfFirstRun(logger: TestDatabase.logger)
        _ = try await services.accounts.signUp(SignUpForm(name: "Rosa Rotation", email: "rosa@example.com", password: "a good long password", phone: "07700 900123"))
        _ = try await services.seedDemoOrders(12)
        _ = try await services.staff.add(email: "owner@example.com", name: "Olive Owner", password: "a long owner password", role: .owner, by: .commandLine)
        let vault = PersonalDataVault(keys: services.keys)
        let before = try await Self.sealedValues(database, vault: vault)
        #expect(before.keys.sorted() == [1])
        let total = before[1] ?? 0
        #expect(total > 20)

        // Another instance, started before the rotation, with the same master key.
        let otherKeys = try loadSecretKeys(configuration)
        let otherVault = PersonalDataVault(keys: otherKeys)

        let rotation = DataKeyRotation(database: database, keys: services.keys, columns: allSealedColumns)
        let stored = try await rotation.rotate(activateAfter: .zero)
        #expect(stored.version == 2)
        #expect(services.keys.dataKeys.sealingVersion == 2)
        #expect(try vault.seal("new data").hasPrefix("v2."))

        // Half-way: a batch re-sealed, the rest still on version 1, and everything reads.
        #expect(try await rotation.resealBatch(batchSize: 3) == 3)
        #expect(try await Self.sealedValues(database, vault: vault) == [1: total - 3, 2: 3])
        // The other instance cannot open version 2 until it reads the keyring, which it does on its own.
        await #expect(throws: PersonalDataVault.OpenError.self) { try await Self.sealedValues(database, vault: otherVault) }
        try await DataKeyRotation(database: database, keys: otherKeys, columns: allSealedColumns).refresh()
        #expect(try await Self.sealedValues(database, vault: otherVault) == [1: total - 3, 2: 3])

        while try await rotation.resealBatch(batchSize: 7) > 0 {}
        #expect(try await rotation.remaining().values.reduce(0, +) == 0)
        #expect(try await Self.sealedValues(database, vault: vault) == [2: total])
        // Blind indexes and password peppers do not depend on the data key: sign-in still works.
        let session = try await services.accounts.signIn(email: "rosa@example.com", password: "a good long password")
        #expect(session.customer.email == "rosa@example.com")
        #expect(session.customer.phone == "07700 900123")
        // A database holding a version made with another master key is refused, not misread.
        let stranger = try SecretKeys.resolve(configuredBase64: Data(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }).base64EncodedString(),
                                              source: "test", keyFilePath: nil)
        await #expect(throws: DataKeyring.UnwrapError.self) { try await DataKeyRotation(database: database, keys: stranger, columns: allSealedColumns).refresh() }
        await database.close()
    }

    @Test func aVersionDueLaterDoesNotSealYet() async throws {
        let database = try await TestDatabase.migrated()
        let keys = try SecretKeys.resolve(configuredBase64: nil, source: "test", keyFilePath: nil)
        let rotation = DataKeyRotation(database: database, keys: keys, columns: allSealedColumns)
        try await rotation.rotate(activateAfter: .seconds(3_600))
        #expect(keys.dataKeys.knownVersions == [1, 2])
        #expect(keys.dataKeys.sealingVersion == 1)
        #expect(try PersonalDataVault(keys: keys).seal("x").hasPrefix("v1."))
        await database.close()
    }
}
