import Metrics
import Prometheus

/// The process's Prometheus registry. `MetricsSystem` can be bootstrapped once per process,
/// and tests build many applications in one process: the first use does it, lazily.
enum AppMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// Charges with no donation that nothing will write (see `DonationService.write`): each one
    /// is money to refund by hand. Alert on any.
    static let orphanCharges = Counter(label: "goodcast_orphan_charges_total")
}
