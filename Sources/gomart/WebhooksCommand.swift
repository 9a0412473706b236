import ArgumentParser
import Foundation
import GoMartApp
import Notifications

/// `gomart webhooks`: integrators' endpoints, from the server's command line (the back office's
/// `/admin/webhooks` does the same for owners and managers).
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Register and list webhook endpoints for integrators.",
        subcommands: [Add.self, List.self]
    )

    /// `gomart webhooks add`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an endpoint for order events; prints its signing secret, once.",
            discussion: "Events: \(WebhookEventType.all.joined(separator: ", ")). Loopback and private addresses are refused unless GOMART_WEBHOOK_ALLOW_PRIVATE=true."
        )

        @Option(name: .long, help: ArgumentHelp("The endpoint's address (https://…).", valueName: "url"))
        var url: String

        @Option(name: .customLong("event"), help: ArgumentHelp("An event to send (repeat for more).", valueName: "type"))
        var events: [String] = []

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let configuration = try storage.configuration()
            let logger = storage.logger(for: configuration)
            let (endpoint, secret) = try await withMigratedDatabase(configuration, logger: logger) { database in
                let webhooks = try ShopServices(configuration: configuration, database: database, logger: logger).webhooks
                do {
                    return try await webhooks.register(url: url, eventTypes: events)
                } catch let error as WebhookError {
                    throw ValidationError(error.description)
                }
            }
            say("""
                Registered endpoint \(endpoint.id) for \(endpoint.url): \(endpoint.eventTypes.joined(separator: ", ")).
                Its signing secret, shown this once (give it to the integrator):
                  \(secret)
                """)
        }
    }

    /// `gomart webhooks list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the endpoints, their events and state.")

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let configuration = try storage.configuration()
            let logger = storage.logger(for: configuration)
            let endpoints = try await withMigratedDatabase(configuration, logger: logger) { database in
                try await ShopServices(configuration: configuration, database: database, logger: logger).webhooks.endpoints()
            }
            if endpoints.isEmpty { say("No webhook endpoint.") }
            for endpoint in endpoints {
                let state = endpoint.enabled ? "on" : "off (\(endpoint.disabledReason ?? "turned off"))"
                say("\(endpoint.id)  \(endpoint.url)  \(endpoint.eventTypes.joined(separator: ","))  \(state)")
            }
        }
    }
}
