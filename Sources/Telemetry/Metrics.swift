import Metrics
import Prometheus

/// The process-wide Prometheus registry behind swift-metrics.
///
/// swift-metrics allows one bootstrap per process, so the first use of ``registry`` installs
/// the Prometheus factory and every later use shares it.
public enum MetricsRegistry {
    /// The registry that `/metrics` renders.
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// The metrics in Prometheus text exposition format.
    public static func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}
