import Accounts
import Foundation

/// One message in a form's error summary, linking to its field.
struct FormErrorItem: Sendable {
    var field: String
    var message: String
}

/// Per-field messages for the account forms.
struct AccountFieldErrors: Sendable {
    var name: String?
    var email: String?
    var password: String?
    var phone: String?

    init(_ fields: [String: String] = [:]) {
        name = fields["name"]
        email = fields["email"]
        password = fields["password"]
        phone = fields["phone"]
    }
}

/// What the shopper typed, echoed back (never the password).
struct AccountFormValues: Sendable {
    var name = ""
    var email = ""
    var phone = ""
}

/// The sign-up and sign-in pages.
struct AccountFormPageModel: Sendable {
    var shop: ShopView
    var meta: PageMeta
    var header: HeaderModel
    var values: AccountFormValues
    var fieldErrors: AccountFieldErrors
    var errors: [FormErrorItem]
    var hasErrors: Bool
    var next: String
    var nextQuery: String?
    /// A line saying what just happened, e.g. after a password reset.
    var notice: String? = nil
}

/// The "your account" page.
struct AccountPageModel: Sendable {
    struct CustomerView: Sendable {
        var name: String
        var email: String
        var phone: String?
        var since: String
    }

    var shop: ShopView
    var meta: PageMeta
    var header: HeaderModel
    var customer: CustomerView
    var notice: String?
    var currentPasswordError: String?
    var newPasswordError: String?
    struct ChannelChoice: Sendable {
        var value: String
        var label: String
        var checked: Bool
    }
    /// How the customer hears about their order's progress, as radio buttons.
    var updateChoices: [ChannelChoice] = []
    var updatesError: String? = nil
}
