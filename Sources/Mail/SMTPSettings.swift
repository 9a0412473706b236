import Foundation

/// Where and how to send mail over SMTP, read from a URL such as
/// `smtp://user:password@mail.example:587?starttls=required`.
///
/// - `smtp://` is plain SMTP upgraded with STARTTLS: `starttls=required` (the default) refuses a
///   server that does not offer it, `opportunistic` upgrades when offered, `off` never does;
///   `smtps://` is TLS from the first byte (port 465).
/// - The user and password, when present, are sent with AUTH PLAIN (or LOGIN), and only over
///   TLS or to a loopback server: a password never crosses a network in clear.
/// - `ca=/path/to/ca.pem` trusts that certificate authority instead of the system's.
/// - Default ports: 587 for `smtp`, 465 for `smtps`.
public struct SMTPSettings: Sendable, Equatable {
    public enum Security: String, Sendable, Equatable {
        /// STARTTLS or nothing is sent.
        case startTLSRequired = "required"
        /// STARTTLS when the server offers it.
        case startTLSOpportunistic = "opportunistic"
        /// Plain text all the way (a local relay).
        case none = "off"
        /// TLS from the first byte (`smtps://`).
        case implicitTLS = "implicit"
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// A PEM file of certificate authorities to trust instead of the system's.
    public var trustedCertificates: String?
    /// The longest a whole delivery may take, connection included.
    public var timeout: Duration

    /// A settings value or every problem with `url`, e.g. an unknown scheme or `starttls` value.
    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    public init(url text: String, timeout: Duration = .seconds(30)) throws {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw Invalid(description: "GOMART_SMTP_URL must look like smtp://user:password@host:587?starttls=required")
        }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name.lowercased(), $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        switch scheme {
        case "smtp":
            let mode = query["starttls"] ?? "required"
            guard let security = Security(rawValue: mode), security != .implicitTLS else {
                throw Invalid(description: "GOMART_SMTP_URL: starttls must be required, opportunistic or off, not \(mode)")
            }
            self.security = security
        case "smtps":
            security = .implicitTLS
        default:
            throw Invalid(description: "GOMART_SMTP_URL: the scheme must be smtp or smtps, not \(scheme)")
        }
        self.host = host
        port = url.port ?? (security == .implicitTLS ? 465 : 587)
        username = url.user.flatMap { $0.isEmpty ? nil : $0 }
        password = url.password
        trustedCertificates = query["ca"].flatMap { $0.isEmpty ? nil : $0 }
        self.timeout = timeout
    }

    /// The server is this machine, where a password in clear crosses no network.
    var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// The URL with its password hidden, for logs and the command line.
    public var redacted: String {
        let scheme = security == .implicitTLS ? "smtps" : "smtp"
        let user = username.map { "\($0):***@" } ?? ""
        let mode = security == .implicitTLS ? "" : "?starttls=\(security.rawValue)"
        return "\(scheme)://\(user)\(host):\(port)\(mode)"
    }
}
