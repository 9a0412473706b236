import HTTPTypes

extension HTTPResponse.Status {
    /// 402: the payment was declined.
    public static var paymentRequired: Self { .init(code: 402, reasonPhrase: "Payment Required") }
}
