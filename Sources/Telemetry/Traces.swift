import Logging
import OTel
import ServiceLifecycle
import Tracing

/// Distributed traces: spans sent over OTLP/HTTP to a collector, when one is configured.
///
/// With no collector the process keeps swift-distributed-tracing's no-op tracer: the request
/// tracing middleware is not installed and SQL statements are not wrapped, so tracing costs
/// nothing on the hot path.
public enum Traces {
    /// Installs an OTLP/HTTP exporter to `collector` (a base address such as
    /// `http://127.0.0.1:4318`; spans go to its `/v1/traces`) for the service `serviceName`,
    /// and returns the service that batches and sends spans: run it in the service group, last
    /// to stop. The standard `OTEL_*` variables (sampler, batch delay) still apply.
    public static func bootstrap(collector: String, serviceName: String, logger: Logger) throws -> some Service {
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        configuration.propagators = [.traceContext]
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.endpoint = collector.hasSuffix("/") ? "\(collector)v1/traces" : "\(collector)/v1/traces"
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        return backend.service
    }

    /// Adds the current span's `trace_id` and `span_id` to every log line written inside it.
    public static let logMetadata: Logger.MetadataProvider = OTel.makeLoggingMetadataProvider()

    /// Whether spans are being recorded (a tracer other than the no-op one is installed).
    public static var enabled: Bool { !(InstrumentationSystem.tracer is NoOpTracer) }
}
