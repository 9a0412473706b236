// swift-tools-version:6.1
import PackageDescription

import class Foundation.ProcessInfo

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "gomart",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gomart", targets: ["gomart"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/pointfreeco/swift-snapshot-testing.git", from: "1.19.7"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // Traces over OTLP/HTTP only: the gRPC exporter would double the build for nothing we use.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        .executableTarget(
            name: "gomart",
            dependencies: [
                "GoMartApp", "BackOffice", "GoMartModels", "Storage", "Catalog", "Checkout", "Notifications", "Operations", "Recommendations", "Security", "Telemetry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GoMartApp",
            dependencies: [
                "GoMartModels", "Storage", "Catalog", "Accounts", "BackOffice", "Cart", "Checkout", "Mail", "Notifications", "Operations", "Payments", "Recommendations", "RecommendedProducts", "RecommenderClient", "Security", "Web", "Storefront", "API", "HTTPProblems", "RecommenderAPI", "Telemetry", "Listening", "Slots", "Pricing", "Promotions", "Lists",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The shop's HTTP listener: its accept loop and the Date header.
        .target(
            name: "Listening",
            dependencies: [
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "GoMartModels", swiftSettings: swiftSettings),
        // One bounded cache type, with hit and miss metrics, for every in-process cache.
        .target(name: "Caching", dependencies: [.product(name: "Metrics", package: "swift-metrics")], swiftSettings: swiftSettings),
        // Pure: what an order costs. The only place a total is computed.
        .target(name: "Pricing", dependencies: ["GoMartModels"], swiftSettings: swiftSettings),
        .target(
            name: "Storage",
            dependencies: [
                "Caching",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Catalog",
            dependencies: [
                "GoMartModels", "Caching", "Storage", "CPictures",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources/demo-catalogue.csv")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Security",
            dependencies: ["Caching", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // Operations: rotation of the key sealing personal data (key versions in the database,
        // re-sealing); backups and restores join it.
        .target(
            name: "Operations",
            dependencies: [
                "Security", "Storage", "CZlib",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            // E-mail on the wire: MIME messages and an SMTP client (STARTTLS, AUTH) over SwiftNIO.
            name: "Mail",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            // The outbox delivered: messages per event and channel, retries, templates, the worker.
            name: "Notifications",
            dependencies: [
                "GoMartModels", "Accounts", "Cart", "Catalog", "Checkout", "Mail", "Pricing", "Security", "Storage",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            resources: [.copy("Resources/Templates")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Accounts",
            dependencies: [
                "GoMartModels", "Storage", "Security",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources/common-passwords.txt")],
            swiftSettings: swiftSettings
        ),
        // Favourites, shopping lists and back-in-stock alerts.
        .target(
            name: "Lists",
            dependencies: [
                "GoMartModels", "Storage", "Catalog", "Cart",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Offers and vouchers: what runs when, and the voucher limits (Pricing applies them).
        .target(
            name: "Promotions",
            dependencies: [
                "GoMartModels", "Pricing", "Storage",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Cart",
            dependencies: [
                "GoMartModels", "Pricing", "Promotions", "Storage", "Catalog",
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Payments",
            dependencies: [
                "GoMartModels", "Storage", .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            // Staff, roles and their sessions; the back office grows here.
            name: "BackOffice",
            dependencies: [
                "GoMartModels", "Accounts", "Cart", "Catalog", "Checkout", "Notifications", "Promotions", "Security", "Slots", "Storage",
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            // The k-NN core: features, index, training, evaluation, model store. Nothing of the shop.
            name: "Recommendations",
            dependencies: [
                "GoMartModels", "Security",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            // What a shopper sees: the core's answers as products in stock, with fallbacks.
            name: "RecommendedProducts",
            dependencies: [
                "Recommendations", "GoMartModels", "Caching", "Catalog", "Cart", "Checkout",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RecommenderClient",
            dependencies: [
                "Recommendations",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            // Delivery areas, collection points, weekly slot templates, slots and bookings.
            name: "Slots",
            dependencies: [
                "GoMartModels", "Storage",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Checkout",
            dependencies: [
                "GoMartModels", "Pricing", "Promotions", "Storage", "Catalog", "Cart", "Payments", "Security", "Slots",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Uploaded pictures' smaller copies: libjpeg and libpng, opened when first needed through a
        // small C layer that turns their errors into return values.
        .target(name: "CPictures", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(
            name: "Web",
            dependencies: [
                "GoMartModels", "Accounts", "Cart", "Promotions", "Security", "Storage", "CZlib",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Storefront",
            dependencies: [
                "GoMartModels", "BackOffice", "Notifications", "Caching", "Pricing", "Promotions", "Lists", "Catalog", "Accounts", "Cart", "Checkout", "Payments", "Slots", "Recommendations", "RecommendedProducts", "Security", "Web",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources/Templates"), .copy("Resources/Public")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "API",
            dependencies: [
                "GoMartModels", "Caching", "Pricing", "Promotions", "Lists", "Catalog", "Accounts", "BackOffice", "Cart", "Checkout", "Payments", "Recommendations", "RecommendedProducts", "Slots", "Web",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            resources: [.copy("Resources/openapi.json")],
            swiftSettings: swiftSettings
        ),
        .target(
            // RFC 9457 problem documents, the body of every API error.
            name: "HTTPProblems",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
        .target(
            // The recommender role's model endpoint: the k-NN core over HTTP, nothing of the shop.
            name: "RecommenderAPI",
            dependencies: ["Recommendations", "GoMartModels", "HTTPProblems", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Telemetry",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: ["GoMartApp", "Web", "Catalog", "CPictures", "Accounts", "BackOffice", "Cart", "Checkout", "Payments", "Promotions", "Lists", "Security", "Slots", "Storage", "GoMartModels",
                           .product(name: "Logging", package: "swift-log"), .product(name: "SQLKit", package: "sql-kit")],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BackOfficeTests",
            dependencies: ["BackOffice", "Accounts", "Checkout", "Payments", "GoMartModels", "Security", "Storage", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NotificationsTests",
            dependencies: ["Notifications", "Accounts", "Cart", "Catalog", "Checkout", "Lists", "Mail", "Payments", "Pricing", "Promotions", "Security", "Slots", "Storage", "GoMartModels", "TestSupport",
                           .product(name: "SQLKit", package: "sql-kit"), .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MailTests",
            dependencies: ["Mail"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CachingTests",
            dependencies: ["Caching"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TelemetryTests",
            dependencies: ["Telemetry", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PricingTests",
            dependencies: ["Pricing", "GoMartModels", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GoMartModelsTests",
            dependencies: ["GoMartModels"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CatalogTests",
            dependencies: ["Catalog", "CPictures", "Storage", "GoMartModels", "TestSupport", .product(name: "SQLKit", package: "sql-kit")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SecurityTests",
            dependencies: ["Security", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AccountsTests",
            dependencies: ["Accounts", "Security", "Storage", "TestSupport", .product(name: "SQLKit", package: "sql-kit"), .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CartTests",
            dependencies: ["Cart", "Catalog", "GoMartModels", "Storage", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RecommendationsTests",
            dependencies: ["Recommendations"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WebTests",
            dependencies: ["Web"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PaymentsTests",
            dependencies: ["Payments", "GoMartModels", "Storage", "TestSupport", "Checkout", "Cart", "Catalog",
                           .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"),
                           .product(name: "HTTPTypes", package: "swift-http-types")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CheckoutTests",
            dependencies: ["Checkout", "Cart", "Catalog", "Payments", "Pricing", "Promotions", "Lists", "Security", "GoMartModels", "Slots", "Storage", "TestSupport",
                           .product(name: "PropertyBased", package: "swift-property-based"), .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "SQLKit", package: "sql-kit")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SlotsTests",
            dependencies: ["Slots", "GoMartModels", "Storage", "TestSupport", .product(name: "SQLKit", package: "sql-kit")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: ["Storage", "TestSupport", .product(name: "SQLKit", package: "sql-kit"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GoMartAppTests",
            dependencies: [
                "GoMartApp", "Listening", "Catalog", "CPictures", "Storage", "API", "Slots", "Accounts", "Storefront", "Web", "TestSupport", "Recommendations", "RecommendedProducts", "RecommenderClient", "Security", "Checkout", "HTTPProblems", "Cart", "Pricing", "Promotions", "Telemetry", "Operations",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "SnapshotTesting", package: "swift-snapshot-testing"),
            ],
            swiftSettings: swiftSettings
        ),
        // bench/run's framework ceiling: bare Hummingbird serving one page's bytes from memory.
        .executableTarget(
            name: "hummingbird-ceiling",
            dependencies: ["Listening", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"), .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
            path: "Benchmarks/Ceiling",
            swiftSettings: swiftSettings
        ),
    ]
)

// Micro-benchmarks of hot paths (bench/README.md): only with GOMART_BENCHMARKS set, so that the
// shop's build and tests do not build the benchmark framework.
if ProcessInfo.processInfo.environment["GOMART_BENCHMARKS"] != nil {
    package.dependencies.append(.package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]))
    package.targets.append(.executableTarget(
        name: "HotPaths",
        dependencies: [
            "GoMartApp", "GoMartModels", "Catalog", "Cart", "Checkout", "Payments", "Recommendations", "RecommendedProducts", "Security", "Storage", "Storefront",
            .product(name: "Benchmark", package: "benchmark"),
            .product(name: "Logging", package: "swift-log"),
        ],
        path: "Benchmarks/HotPaths",
        swiftSettings: swiftSettings,
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ))
}

