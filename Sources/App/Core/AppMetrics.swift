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

    /// Charges with no donation that nothing will write (see `DonationService.write`): money to
    /// refund by hand. Alert on any increase; one charge can be counted more than once (by its
    /// request, its webhook and reconciliation), so the log line names each charge.
    static let orphanCharges = Counter(label: "goodcast_orphan_charges_total")
}
