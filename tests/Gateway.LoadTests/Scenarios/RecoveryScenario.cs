using System.Diagnostics;

namespace Gateway.LoadTests.Scenarios;

/// <summary>
/// A crash with work pending: the partner answers 503 while the handsets send their messages, so
/// they all wait in store and forward; the node is killed with SIGKILL, stays down for one retry
/// interval (so that every pending message is due when it is back), the partner comes back, and the
/// node starts again on the same journal. Measures, from the restart: readiness, the first
/// delivery, the moment every pending message is held again by a running entity (the journal fully
/// recovered: delivered plus queued reaches the pending count), the last delivery; and what was lost
/// (answered 202 but never delivered) or delivered twice.
/// </summary>
public static class RecoveryScenario
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(30);

    public static async Task<Table> RunAsync(LoadSetup setup)
    {
        var options = setup.Options;
        var subscribers = options.Subscribers ?? 10_000;
        var perSubscriber = options.MessagesPerSubscriber ?? 10;
        var connections = options.Connections ?? 64;
        var sink = setup.Sink;
        var settings = new Dictionary<string, string> { ["GATEWAY_RETRY_INTERVAL"] = $"{RetryInterval.TotalSeconds:0}s" };
        sink.Down = true;
        long accepted;
        using (var node = await setup.StartNodeAsync("node1", settings))
        {
            await new Provisioner(node.BaseAddress, LoadSetup.AdminToken).ProvisionAsync(sink.Url, subscribers, 32, setup.Progress);
            using var client = LoadDriver.Client(node.BaseAddress, connections, TimeSpan.FromSeconds(60));
            var injected = await Originations.InjectAsync(client, subscribers, perSubscriber, connections, options.TextLength,
                setup.Progress, "queueing (partner down)");
            accepted = injected.Count(202);
            setup.Progress.Say($"{accepted:N0} messages pending ({injected.Statuses()}); kill -9 of the node");
            node.Kill();
        }
        // Down for one retry interval, so that every pending message is due when the node is back:
        // otherwise the first delivery would wait for its scheduled retry, not for the recovery.
        await Originations.WaitForAsync(() => false, RetryInterval, setup.Progress, () => "node down");

        sink.ResetMeasurements();
        sink.Down = false;
        var restart = Stopwatch.StartNew();
        var restartedAt = Stopwatch.GetTimestamp();
        using var restarted = await setup.StartNodeAsync("node1", settings);
        var ready = restart.Elapsed;
        var firstDelivery = await Originations.WaitForAsync(() => sink.Delivered > 0, TimeSpan.FromMinutes(5), setup.Progress,
            () => "waiting for the first delivery after the restart");
        using var stopWatching = new CancellationTokenSource();
        var recovery = WatchRecoveryAsync(restarted, sink, accepted, restart, stopWatching.Token);
        var done = await Originations.WaitForAsync(() => sink.Delivered >= accepted, TimeSpan.FromHours(1), setup.Progress,
            () => $"after the restart: {sink.Delivered:N0} of {accepted:N0} delivered");
        await stopWatching.CancelAsync();
        var recovered = await recovery;
        var lastDelivery = TimeSpan.FromSeconds((double)(sink.LastArrival - restartedAt) / Stopwatch.Frequency);

        var table = new Table(
            $"recovery: {setup.StorageLabel}, kill -9 with {accepted:N0} messages pending ({subscribers:N0} subscribers × {perSubscriber}), down {RetryInterval.TotalSeconds:0} s, partner back at the restart",
            "pending", "ready after", "first delivery after", "journal recovered after", "all delivered after", "delivered", "lost", "duplicates");
        table.Add($"{accepted:N0}", $"{ready.TotalSeconds:0.0} s",
            firstDelivery is null ? "none within 5 min" : $"{(ready + firstDelivery.Value).TotalSeconds:0.0} s",
            recovered is { } r ? $"{r.TotalSeconds:0.0} s" : "not seen",
            done is null ? "not within 1 h" : $"{lastDelivery.TotalSeconds:0.0} s",
            $"{sink.Delivered:N0}", $"{Math.Max(0, accepted - sink.Delivered):N0}", $"{sink.Duplicates:N0}");
        return table;
    }

    /// <summary>
    /// When every pending message was first delivered or held by a running entity again (polling the
    /// node's queued-messages gauge); null if that was not seen before <paramref name="stop"/>.
    /// </summary>
    private static async Task<TimeSpan?> WatchRecoveryAsync(
        GatewayNode node, PartnerSink sink, long pending, Stopwatch sinceRestart, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var delivered = sink.Delivered;
                var metrics = await NodeMetrics.ReadAsync(node);
                if (!double.IsNaN(metrics.QueuedMessages) && delivered + metrics.QueuedMessages >= pending)
                    return sinceRestart.Elapsed;
                await Task.Delay(200, stop);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // the node is busy or the wait was cancelled: look again
            }
        }
        return null;
    }
}
