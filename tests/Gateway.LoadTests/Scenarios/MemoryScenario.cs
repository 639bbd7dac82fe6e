namespace Gateway.LoadTests.Scenarios;

/// <summary>
/// What subscribers cost in memory: the node's live managed heap (right after a full GC that the
/// harness makes it run, as dotnet-gcdump does) and RSS once
/// the subscribers are provisioned, once <c>--active</c> of them have each sent one message (their
/// entities running, the message delivered to the partner sink), and once those entities have
/// passivated. The running entities are sampled once idle for longer than their lanes run with
/// nothing to deliver (<c>gateway.delivery.lane-idle-after</c>, set to 5 s by the scenario rather than
/// waiting the default 30 s), so the figure is that of a
/// running entity with nothing to deliver; <c>--hocon "gateway.delivery.lane-idle-after = 1h"</c>
/// keeps the lanes and measures them too. The scenario sets <c>gateway.delivery.passivate-after</c>
/// to 3 minutes plus 1 ms per active subscriber, so that none passivates before all have sent their
/// message, it was delivered and the running sample settled (the table says so when it took longer).
/// </summary>
public static class MemoryScenario
{
    private static readonly TimeSpan LaneIdleAfter = TimeSpan.FromSeconds(5);

    public static async Task<Table> RunAsync(LoadSetup setup)
    {
        var options = setup.Options;
        var subscribers = options.Subscribers ?? 100_000;
        var active = Math.Min(options.Active ?? subscribers, subscribers);
        var connections = options.Connections ?? 64;
        var sink = setup.Sink;
        // long enough for activating them all and for the running sample to settle (up to 2 min)
        var passivateAfter = TimeSpan.FromMinutes(3) + TimeSpan.FromMilliseconds(active);
        using var node = await setup.StartNodeAsync("node1", hocon:
        [
            $"gateway.delivery.passivate-after = {passivateAfter.TotalSeconds:0}s",
            $"gateway.delivery.lane-idle-after = {LaneIdleAfter.TotalSeconds:0}s",
        ]);
        var empty = await Sample(node, setup.Progress);
        await new Provisioner(node.BaseAddress, LoadSetup.AdminToken).ProvisionAsync(sink.Url, subscribers, 32, setup.Progress);
        var provisioned = await Sample(node, setup.Progress);

        using var client = LoadDriver.Client(node.BaseAddress, connections, TimeSpan.FromSeconds(60));
        var activating = System.Diagnostics.Stopwatch.StartNew();
        var injected = await Originations.InjectAsync(client, active, 1, connections, options.TextLength, setup.Progress,
            "one message from each active subscriber");
        await Originations.WaitForAsync(() => sink.Delivered >= injected.Count(202), TimeSpan.FromMinutes(10), setup.Progress,
            () => $"{sink.Delivered:N0} of {injected.Count(202):N0} delivered");
        await Originations.WaitForAsync(() => false, LaneIdleAfter * 2, setup.Progress,
            () => "waiting for the idle lanes to stop");
        var running = await Sample(node, setup.Progress);
        // an entity delivered early may have passivated before the sample: then it is not all of them
        var allRunning = activating.Elapsed < passivateAfter;
        await Originations.WaitForAsync(() => false, passivateAfter + TimeSpan.FromSeconds(15), setup.Progress,
            () => "waiting for the entities to passivate");
        var passivated = await Sample(node, setup.Progress);

        string PerEntity(double heap) => $"{(heap - provisioned.Heap) / active:N0} bytes";
        var table = new Table(
            $"memory: {setup.StorageLabel}, {subscribers:N0} subscribers provisioned, {active:N0} active",
            "state", "managed heap (live, after a full GC)", "RSS", "heap per active subscriber", "heap per provisioned subscriber");
        table.Add("started, nothing provisioned", Table.Mib((long)empty.Heap), Table.Mib(empty.Rss), "–", "–");
        table.Add($"{subscribers:N0} provisioned", Table.Mib((long)provisioned.Heap), Table.Mib(provisioned.Rss), "–",
            $"{(provisioned.Heap - empty.Heap) / subscribers:N0} bytes");
        var runningLabel = allRunning
            ? $"{active:N0} entities running, idle {(LaneIdleAfter * 2).TotalSeconds:0} s"
            : $"{active:N0} entities running (some may have passivated before this sample: {activating.Elapsed.TotalSeconds:0} s to activate them all)";
        table.Add(runningLabel, Table.Mib((long)running.Heap), Table.Mib(running.Rss), PerEntity(running.Heap), "–");
        table.Add($"after passivation ({passivateAfter.TotalSeconds:0} s idle)", Table.Mib((long)passivated.Heap), Table.Mib(passivated.Rss),
            PerEntity(passivated.Heap), "–");
        return table;
    }

    /// <summary>
    /// The live managed heap right after a full GC the harness asks for, and the RSS, once the node has
    /// settled: work the node finishes after the load (the provisioning catalog's last snapshot being
    /// written, the directory catching up, objects waiting for their finalizer) holds memory for a while,
    /// so the heap is sampled every 10 s until two readings are within 2% (at most 2 minutes).
    /// </summary>
    private static async Task<(double Heap, long Rss)> Sample(GatewayNode node, Progress progress)
    {
        var previous = await SampleOnce(node);
        for (var attempt = 0; attempt < 12; attempt++)
        {
            await Task.Delay(TimeSpan.FromSeconds(10));
            var next = await SampleOnce(node);
            progress.Say($"live heap {Table.Mib((long)previous.Heap)} → {Table.Mib((long)next.Heap)}");
            if (Math.Abs(next.Heap - previous.Heap) <= 0.02 * previous.Heap)
                return next;
            previous = next;
        }
        return previous;
    }

    private static async Task<(double Heap, long Rss)> SampleOnce(GatewayNode node)
    {
        if (!await node.CollectGarbageAsync())
            throw new UsageException("the memory scenario needs dotnet-trace to make the node collect its garbage: dotnet tool install -g dotnet-trace");
        return ((await NodeMetrics.ReadAsync(node)).LiveHeapBytes, node.Memory().Rss);
    }
}
