import Foundation
import GoMartModels
import SQLKit
import Security
import Storage

/// Demo shoppers: accounts that carry a demo order history, so the demo shop has customers whose
/// recommendations can be seen. They share one published password, so they exist only in
/// development (`gomart seed --demo-orders` refuses production).
public enum DemoShoppers {
    /// The password every demo shopper signs in with.
    public static let password = "demo-shopper-password"

    /// The e-mail of demo shopper `number` (from 1).
    public static func email(_ number: Int) -> String {
        String(format: "demo-shopper-%04d@example.com", number)
    }
}

extension AccountsService {
    /// Makes sure demo shoppers 1 to `count` exist, creating the missing ones in one transaction,
    /// and returns their internal ids in order. Existing accounts are kept as they are.
    public func ensureDemoShoppers(count: Int) async throws -> [CustomerID] {
        guard count > 0 else { return [] }
        let passwordHash = try await hasher.hash(DemoShoppers.password)
        let timestamp = Int64(now().timeIntervalSince1970)
        var rows: [AccountsRepository.NewCustomer] = []
        rows.reserveCapacity(count)
        for number in 1...count {
            let email = DemoShoppers.email(number)
            rows.append(AccountsRepository.NewCustomer(
                publicID: UUID().publicString, emailIndex: vault.blindIndex(email), emailSealed: try vault.seal(email),
                nameSealed: try vault.seal("Demo Shopper \(number)"), passwordHash: passwordHash
            ))
        }
        return try await repository.ensureCustomers(rows, now: timestamp).map(CustomerID.init)
    }
}

extension AccountsRepository {
    /// A customer row to insert, personal data already sealed.
    struct NewCustomer: Sendable {
        var publicID: String
        var emailIndex: String
        var emailSealed: String
        var nameSealed: String
        var passwordHash: String
    }

    /// Inserts the customers whose e-mail index is not taken, in one transaction, and returns the
    /// internal ids of all of them, in order.
    func ensureCustomers(_ customers: [NewCustomer], now: Int64) async throws -> [Int64] {
        try await database.transaction { sql in
            var ids: [Int64] = []
            ids.reserveCapacity(customers.count)
            for customer in customers {
                try await sql.insert(into: "customers")
                    .columns("public_id", "email_index", "email_sealed", "name_sealed", "password_hash", "created_at", "email_verified_at")
                    .values(SQLBind(customer.publicID), SQLBind(customer.emailIndex), SQLBind(customer.emailSealed),
                            SQLBind(customer.nameSealed), SQLBind(customer.passwordHash), SQLBind(now), SQLBind(now))
                    .ignoringConflicts(with: ["email_index"])
                    .run()
                guard let id = try await sql.select().column("id").from("customers")
                    .where("email_index", .equal, SQLBind(customer.emailIndex)).first()?.decode(column: "id", as: Int64.self)
                else { throw AccountsError.emailTaken }
                ids.append(id)
            }
            return ids
        }
    }
}
