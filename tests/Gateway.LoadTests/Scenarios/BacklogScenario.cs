using System.Diagnostics;

namespace Gateway.LoadTests.Scenarios;

/// <summary>
/// Store and forward at scale: the partner answers 503 while every subscriber's handset sends its
/// messages, so they all queue; then the partner comes back. Measures the node's memory while they
/// are queued (per queued message: the live managed heap while queued, less the same once drained
/// with the same entities still running; each measured right after a full GC), the retry traffic while the partner is down
/// (over two retry intervals: attempts per second against subscribers ÷ interval, and the smallest
/// gap between two attempts of one subscriber), and the drain rate once it is up.
/// </summary>
public static class BacklogScenario
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(30);

    public static async Task<Table> RunAsync(LoadSetup setup)
    {
        var options = setup.Options;
        var subscribers = options.Subscribers ?? 100_000;
        var perSubscriber = options.MessagesPerSubscriber ?? 10;
        var connections = options.Connections ?? 64;
        var messages = (long)subscribers * perSubscriber;
        var sink = setup.Sink;
        sink.Down = true;
        // the drained sample compares the same entities running, their lanes too: none may passivate,
        // nor stop its lane, while the rest drains
        using var node = await setup.StartNodeAsync("node1", new Dictionary<string, string>
        {
            ["GATEWAY_RETRY_INTERVAL"] = $"{RetryInterval.TotalSeconds:0}s",
        }, hocon: ["gateway.delivery.passivate-after = 2h", "gateway.delivery.lane-idle-after = 2h"]);
        await new Provisioner(node.BaseAddress, LoadSetup.AdminToken).ProvisionAsync(sink.Url, subscribers, 32, setup.Progress);
        var before = await Sample(node);

        using var client = LoadDriver.Client(node.BaseAddress, connections, TimeSpan.FromSeconds(60));
        var injected = await Originations.InjectAsync(client, subscribers, perSubscriber, connections, options.TextLength,
            setup.Progress, "queueing (partner down)");
        var accepted = injected.Count(202);

        // retry traffic over two intervals, once everything is queued
        var attemptsBefore = sink.AttemptsWhileDown;
        var window = Stopwatch.StartNew();
        await Originations.WaitForAsync(() => window.Elapsed >= RetryInterval * 2, RetryInterval * 3, setup.Progress,
            () => $"partner down: {sink.AttemptsWhileDown - attemptsBefore:N0} attempts refused in {window.Elapsed.TotalSeconds:0} s");
        var retriesPerSecond = (sink.AttemptsWhileDown - attemptsBefore) / window.Elapsed.TotalSeconds;
        var queued = await Sample(node);

        sink.ResetMeasurements();
        sink.Down = false;
        var drained = await Originations.WaitForAsync(() => sink.Delivered >= accepted, TimeSpan.FromHours(1), setup.Progress,
            () => $"partner up: {sink.Delivered:N0} of {accepted:N0} delivered");
        var afterDrain = await Sample(node);

        var perMessage = (queued.Metrics.LiveHeapBytes - afterDrain.Metrics.LiveHeapBytes) / accepted;
        var table = new Table(
            $"backlog: {setup.StorageLabel}, {subscribers:N0} subscribers × {perSubscriber} messages, partner down then up, retry interval {RetryInterval.TotalSeconds:0} s",
            "queued (202)", "queueing/s", "heap: provisioned / queued / drained", "RSS: provisioned / queued / drained",
            "heap per queued message", "refused attempts/s while down (one per subscriber per interval)", "smallest gap between two attempts of one subscriber",
            "drain (from the partner's return)", "drain rate (first to last delivery)", "delivered", "duplicates", "answers");
        table.Add($"{accepted:N0}", $"{injected.PerSecond(202):N0}",
            $"{Table.Mib((long)before.Metrics.LiveHeapBytes)} / {Table.Mib((long)queued.Metrics.LiveHeapBytes)} / {Table.Mib((long)afterDrain.Metrics.LiveHeapBytes)}",
            $"{Table.Mib(before.Rss)} / {Table.Mib(queued.Rss)} / {Table.Mib(afterDrain.Rss)}",
            $"{perMessage:N0} bytes (text {options.TextLength} characters)",
            $"{retriesPerSecond:N0} ({subscribers / RetryInterval.TotalSeconds:N0})",
            sink.SmallestRefusalGap is { } gap ? $"{gap.TotalSeconds:0.0} s" : "–",
            drained is { } took ? $"{took.TotalSeconds:0} s" : "not within 1 h",
            sink.DeliverySpan.TotalSeconds > 0 ? $"{sink.Delivered / sink.DeliverySpan.TotalSeconds:N0}/s" : "–",
            $"{sink.Delivered:N0}", $"{sink.Duplicates:N0}", injected.Statuses());
        return table;
    }

    /// <summary>The live managed heap right after a full GC the harness asks for, and the RSS.</summary>
    private static async Task<(NodeMetrics Metrics, long Rss)> Sample(GatewayNode node)
    {
        if (!await node.CollectGarbageAsync())
            throw new UsageException("the backlog scenario needs dotnet-trace to make the node collect its garbage: dotnet tool install -g dotnet-trace");
        return (await NodeMetrics.ReadAsync(node), node.Memory().Rss);
    }
}
