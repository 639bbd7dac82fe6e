using System.Diagnostics;

namespace Gateway.LoadTests.Scenarios;

/// <summary>
/// Originations end to end: every subscriber's handset sends one SMS per second through the
/// simulator (<c>POST /sim/handsets/{mobile}/messages</c>, answered once the gateway journaled its
/// segments); the gateway delivers each to the partner sink, at most one per subscriber per egress
/// interval. Measures what reaches the sink per second, the time from injection to arrival, and
/// every gap between two deliveries of one subscriber shorter than the egress interval. One message
/// from each handset first starts every subscriber's entity (not measured).
/// </summary>
public static class EndToEndScenario
{
    private static readonly TimeSpan EgressInterval = TimeSpan.FromSeconds(1);

    public static async Task<Table> RunAsync(LoadSetup setup)
    {
        var options = setup.Options;
        var subscribers = options.Subscribers ?? 20_000;
        var connections = options.Connections ?? 256;
        var duration = options.Duration ?? TimeSpan.FromSeconds(60);
        using var node = await setup.StartNodeAsync("node1");
        var took = await new Provisioner(node.BaseAddress, LoadSetup.AdminToken)
            .ProvisionAsync(setup.Sink.Url, subscribers, 32, setup.Progress);
        setup.Progress.Say($"provisioned {subscribers:N0} subscribers in {took.TotalSeconds:0.0} s");

        HttpRequestMessage Request(int subscriber) => Originations.Sms(subscriber, options.TextLength);

        using var client = LoadDriver.Client(node.BaseAddress, connections, TimeSpan.FromSeconds(30));
        // Warm-up: one message from each handset, so every subscriber's entity runs (and the node is
        // warm) before the timed phase; cold starts are the ingest scenario's to measure.
        var warmUp = await LoadDriver.ClosedLoopAsync(client, Math.Min(connections, 64), TimeSpan.FromSeconds(300),
            sequence => Request((int)sequence), setup.Progress, "warm-up (one message per handset)", limit: subscribers);
        await DrainAsync(setup, warmUp.Count(202), "warm-up");
        await Task.Delay(EgressInterval);
        setup.Sink.ResetMeasurements();

        var cpu = CpuSample.Of(node);
        var started = Stopwatch.GetTimestamp();
        var injected = await LoadDriver.PacedAsync(client, subscribers, EgressInterval, connections, duration, Request,
            setup.Progress, "injecting");
        var injectionCpu = CpuSample.Of(node).SharePercentSince(cpu);
        var accepted = injected.Count(202);
        await DrainAsync(setup, accepted, "draining");
        var sink = setup.Sink;
        var deliveryWindow = TimeSpan.FromSeconds((double)(sink.LastArrival - started) / Stopwatch.Frequency);
        var latency = sink.InjectionToArrival();

        var table = new Table(
            $"end to end: {setup.StorageLabel}, {subscribers:N0} subscribers each sending 1 SMS/s for {duration.TotalSeconds:0} s, at most {connections} requests in flight",
            "injected (202)", "injected/s", "delivered", "delivered/s", "injection → partner p50", "p95", "p99", "max",
            "throttle violations", "smallest gap", "duplicates", "simulator POST p99", "answers", "node CPU", "node RSS after");
        table.Add($"{accepted:N0}", $"{injected.PerSecond(202):N0}", $"{sink.Delivered:N0}",
            $"{sink.Delivered / deliveryWindow.TotalSeconds:N0}",
            Latencies.Format(latency.Percentile(50)), Latencies.Format(latency.Percentile(95)), Latencies.Format(latency.Percentile(99)),
            Latencies.Format(latency.Max), $"{sink.ThrottleViolations:N0}",
            sink.SmallestGap is { } gap ? $"{gap.TotalMilliseconds:0} ms" : "–", $"{sink.Duplicates:N0}",
            Latencies.Format(injected.Latencies.Percentile(99)), injected.Statuses(), injectionCpu, Table.Mib(node.Memory().Rss));
        return table;
    }

    /// <summary>Waits (at most 120 s) until the sink has <paramref name="expected"/> deliveries.</summary>
    private static async Task DrainAsync(LoadSetup setup, long expected, string label)
    {
        var clock = Stopwatch.StartNew();
        using (setup.Progress.Every(() => $"{label}: {setup.Sink.Delivered:N0} of {expected:N0} delivered"))
        {
            while (setup.Sink.Delivered < expected && clock.Elapsed < TimeSpan.FromSeconds(120))
                await Task.Delay(100);
        }
        if (setup.Sink.Delivered < expected)
            setup.Progress.Say($"NOT DRAINED ({label}): {expected - setup.Sink.Delivered:N0} accepted messages had not reached the partner after 120 s");
    }
}
