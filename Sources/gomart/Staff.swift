import ArgumentParser
import BackOffice
import Foundation
import GoMartApp

/// `gomart staff`: the grocer's team.
struct Staff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the shop's staff accounts.",
        subcommands: [Add.self]
    )

    /// `gomart staff add`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a member of staff, such as the first owner.",
            discussion: """
                Owners and managers also get an authenticator-app secret and ten recovery codes, shown once. \
                The password is asked for at the terminal (twice, not shown), or read from the first line \
                of --password-file, or of standard input when it is not a terminal; never from an argument, \
                which would stay in the shell's history and the process list.
                Roles: owner (everything, staff too), manager (catalogue, prices, stock, orders, refunds, \
                reports), picker (picking and packing), driver (deliveries), support (orders and customers, \
                cancellations, notes).
                """
        )

        @Option(name: .long, help: ArgumentHelp("Their e-mail address, to sign in with.", valueName: "address"))
        var email: String

        @Option(name: .long, help: ArgumentHelp("owner, manager, picker, driver or support.", valueName: "role"))
        var role: String

        @Option(name: .long, help: ArgumentHelp("Their name as colleagues see it (default: the e-mail's name part).", valueName: "name"))
        var name: String?

        @Option(name: .long, help: ArgumentHelp("A file whose first line is the password.", valueName: "path"))
        var passwordFile: String?

        @OptionGroup var storage: StorageOptions

        func validate() throws {
            guard StaffRole(rawValue: role.lowercased()) != nil else {
                throw ValidationError("--role must be one of \(StaffRole.allCases.map(\.rawValue).joined(separator: ", ")), not '\(role)'.")
            }
        }

        func run() async throws {
            let configuration = try storage.configuration()
            let logger = storage.logger(for: configuration)
            let role = StaffRole(rawValue: role.lowercased()) ?? .support
            let password = try readPassword()
            let enrolment = try await withMigratedDatabase(configuration, logger: logger) { database in
                let staff = try ShopServices(configuration: configuration, database: database, logger: logger).staff
                do {
                    return try await staff.add(email: email, name: name ?? String(email.prefix { $0 != "@" }), password: password, role: role, by: .commandLine)
                } catch let error as StaffError {
                    throw ValidationError(error.description)
                }
            }
            let member = enrolment.member
            say("Added \(member.role.rawValue) \(member.email) (\(member.name)).")
            if let secondFactor = enrolment.secondFactor {
                // Shown once: only the sealed secret and the codes' hashes are kept.
                say("""

                    \(member.role.rawValue.capitalized)s sign in with a code from an authenticator app as well as the password.
                    Add this account to the app now, with the secret (or a QR code of the address):
                      secret:  \(secondFactor.secret)
                      address: \(secondFactor.provisioningURI)
                    Recovery codes, each good for one sign-in without the app. Keep them somewhere safe:
                    \(secondFactor.recoveryCodes.map { "  " + $0 }.joined(separator: "\n"))
                    This is the only time they are shown.
                    """)
            }
        }

        /// The password from the file, the terminal (asked twice, not echoed) or standard input.
        func readPassword() throws -> String {
            if let passwordFile {
                guard let data = FileManager.default.contents(atPath: passwordFile), let text = String(data: data, encoding: .utf8) else {
                    throw ValidationError("Cannot read the password file \(passwordFile).")
                }
                return String(text.prefix { $0 != "\n" && $0 != "\r" })
            }
            guard isatty(STDIN_FILENO) != 0 else {
                guard let line = readLine(strippingNewline: true) else { throw ValidationError("No password on standard input.") }
                return line
            }
            let first = try Self.ask("Password for \(email): ")
            let second = try Self.ask("The same password again: ")
            guard first == second else { throw ValidationError("The two passwords differ; nothing was changed.") }
            return first
        }

        /// Reads a line from the terminal without echoing it.
        static func ask(_ prompt: String) throws -> String {
            FileHandle.standardError.write(Data(prompt.utf8))
            var saved = termios()
            tcgetattr(STDIN_FILENO, &saved)
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
            defer {
                tcsetattr(STDIN_FILENO, TCSANOW, &saved)
                FileHandle.standardError.write(Data("\n".utf8))
            }
            guard let line = readLine(strippingNewline: true) else { throw ValidationError("No password given.") }
            return line
        }
    }
}
