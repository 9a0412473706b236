import Foundation
import GoMartModels

/// A card gateway in test mode, for the demo shop and the tests. It takes no real money but
/// behaves like a gateway's test mode:
///
/// | card number | outcome |
/// |---|---|
/// | 4242 4242 4242 4242 | succeeds |
/// | 4000 0000 0000 0002 | declined |
/// | 4000 0000 0000 9995 | declined: insufficient funds |
/// | 4000 0000 0000 0119 | processing error |
/// | any other Luhn-valid number | succeeds |
public struct SandboxPaymentProvider: PaymentProvider {
    public let name = "sandbox"

    /// Creates the sandbox.
    public init() {}

    public func charge(amount: Money, card: CardDetails, orderReference: String, idempotencyKey: String) async throws -> ChargeOutcome {
        guard amount.minorUnits > 0, CardDetails.passesLuhn(card.number) else { return .declined(.declined) }
        switch card.number {
        case "4000000000000002": return .declined(.declined)
        case "4000000000009995": return .declined(.insufficientFunds)
        case "4000000000000119": throw PaymentError.processingFailed("The sandbox simulates a processing error for this card.")
        default:
            let reference = "sandbox_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(24)
            return .succeeded(PaymentReceipt(reference: String(reference), brand: card.brand, lastFour: card.lastFour))
        }
    }
}
