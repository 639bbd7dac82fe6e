using Prometheus;

namespace Gateway.Host.Health;

/// <summary>
/// Exports every .NET meter (the gateway's <c>Gateway</c> meter, the runtime's, ASP.NET Core's) to
/// <c>GET /metrics</c> through one prometheus-net MeterAdapter for the whole process.
/// </summary>
/// <remarks>
/// prometheus-net's default adapter did not see instruments created after it started, and the
/// gateway's counters are created with the first message, so none of them were exported. The adapter
/// is never disposed: prometheus-net keeps instrument names in static tables that a disposed adapter
/// clears for every other one (several hosts share a process in the tests). Series unchanged for
/// <c>MetricsExpireAfter</c> (5 min by default) are dropped and a counter then starts again from zero;
/// the gateway's labels are few, so series are kept for a day, the most prometheus-net allows.
/// </remarks>
public static class MeterExport
{
    private static readonly Lazy<IDisposable> Adapter = new(() =>
    {
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressMeters = true });
        return MeterAdapter.StartListening(new MeterAdapterOptions { MetricsExpireAfter = TimeSpan.FromDays(1) });
    });

    /// <summary>Starts the export, once per process.</summary>
    public static void Start() => _ = Adapter.Value;
}
