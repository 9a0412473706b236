import HTTPTypes
import Promotions

extension HTTPResponse.Status {
    /// 402: the payment was declined.
    public static var paymentRequired: Self { .init(code: 402, reasonPhrase: "Payment Required") }
}

extension VoucherProblem {
    /// The answer's status, for pages and the API alike: an unknown code is a mistake in the
    /// request (422), one that needs a signed-in shopper asks for sign-in (401), the rest are the
    /// voucher's state (409).
    public var status: HTTPResponse.Status {
        switch self {
        case .unknown: .unprocessableContent
        case .signInFirst: .unauthorized
        case .notYet, .expired, .usedUp, .alreadyUsed: .conflict
        }
    }
}
