import ArgumentParser

/// The `gomart` command: runs and manages a GoMart online supermarket.
@main
struct GoMartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gomart",
        abstract: "GoMart, an online supermarket: run the shop and manage its catalogue.",
        discussion: """
            Settings come from flags first, then GOMART_* environment variables, then secret files
            (GOMART_SECRET_KEY_FILE, GOMART_DATABASE_URL_FILE), then defaults:
              GOMART_HOST, GOMART_PORT, GOMART_DATA_DIR, GOMART_DATABASE_URL, GOMART_LOG_LEVEL,
              GOMART_CACHE_TTL_SECONDS, GOMART_PUBLIC_URL, GOMART_SHOP_NAME, GOMART_CURRENCY,
              GOMART_SEED_DEMO, GOMART_ENV, GOMART_SECRET_KEY, GOMART_ROLE, GOMART_DATABASE_SCHEMA,
              GOMART_PAYMENT_PROVIDER and the cart and session settings listed in the README.
            """,
        subcommands: [Serve.self, Migrate.self, Seed.self, ML.self, SearchCommand.self, Staff.self, WebhooksCommand.self, KeysCommand.self, BackupCommand.self, RestoreCommand.self],
        defaultSubcommand: Serve.self
    )
}
