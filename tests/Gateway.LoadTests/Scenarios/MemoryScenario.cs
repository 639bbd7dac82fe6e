namespace Gateway.LoadTests.Scenarios;

/// <summary>
/// What subscribers cost in memory: the node's live managed heap (right after a full GC that the
/// harness makes it run, as dotnet-gcdump does) and RSS once
/// the subscribers are provisioned, once <c>--active</c> of them have each sent one message (their
/// entities running, the message delivered to the partner sink), and once those entities have
/// passivated (the scenario sets <c>gateway.delivery.passivate-after</c> to 30 s so that it does not
/// wait the default 2 minutes).
/// </summary>
public static class MemoryScenario
{
    private static readonly TimeSpan PassivateAfter = TimeSpan.FromSeconds(30);

    public static async Task<Table> RunAsync(LoadSetup setup)
    {
        var options = setup.Options;
        var subscribers = options.Subscribers ?? 100_000;
        var active = Math.Min(options.Active ?? subscribers, subscribers);
        var connections = options.Connections ?? 64;
        var sink = setup.Sink;
        using var node = await setup.StartNodeAsync("node1", new Dictionary<string, string>
        {
            ["GATEWAY_CONFIG_FILE"] = await WriteHoconAsync(setup, $"gateway.delivery.passivate-after = {PassivateAfter.TotalSeconds:0}s"),
        });
        var empty = await Sample(node);
        await new Provisioner(node.BaseAddress, LoadSetup.AdminToken).ProvisionAsync(sink.Url, subscribers, 32, setup.Progress);
        var provisioned = await Sample(node);

        using var client = LoadDriver.Client(node.BaseAddress, connections, TimeSpan.FromSeconds(60));
        var injected = await Originations.InjectAsync(client, active, 1, connections, options.TextLength, setup.Progress,
            "one message from each active subscriber");
        await Originations.WaitForAsync(() => sink.Delivered >= injected.Count(202), TimeSpan.FromMinutes(10), setup.Progress,
            () => $"{sink.Delivered:N0} of {injected.Count(202):N0} delivered");
        var running = await Sample(node);
        await Originations.WaitForAsync(() => false, PassivateAfter * 2, setup.Progress,
            () => "waiting for the entities to passivate");
        var passivated = await Sample(node);

        string PerEntity(double heap) => $"{(heap - provisioned.Heap) / active:N0} bytes";
        var table = new Table(
            $"memory: {setup.StorageLabel}, {subscribers:N0} subscribers provisioned, {active:N0} active",
            "state", "managed heap (live, after a full GC)", "RSS", "heap per active subscriber", "heap per provisioned subscriber");
        table.Add("started, nothing provisioned", Table.Mib((long)empty.Heap), Table.Mib(empty.Rss), "–", "–");
        table.Add($"{subscribers:N0} provisioned", Table.Mib((long)provisioned.Heap), Table.Mib(provisioned.Rss), "–",
            $"{(provisioned.Heap - empty.Heap) / subscribers:N0} bytes");
        table.Add($"{active:N0} entities running", Table.Mib((long)running.Heap), Table.Mib(running.Rss), PerEntity(running.Heap), "–");
        table.Add($"after passivation ({PassivateAfter.TotalSeconds:0} s idle)", Table.Mib((long)passivated.Heap), Table.Mib(passivated.Rss),
            PerEntity(passivated.Heap), "–");
        return table;
    }

    /// <summary>The live managed heap right after a full GC the harness asks for, and the RSS.</summary>
    private static async Task<(double Heap, long Rss)> Sample(GatewayNode node)
    {
        if (!await node.CollectGarbageAsync())
            throw new UsageException("the memory scenario needs dotnet-trace to make the node collect its garbage: dotnet tool install -g dotnet-trace");
        return ((await NodeMetrics.ReadAsync(node)).ManagedHeapBytes, node.Memory().Rss);
    }

    private static async Task<string> WriteHoconAsync(LoadSetup setup, string line)
    {
        var path = Path.Combine(setup.WorkDirectory, "memory.hocon");
        await File.WriteAllLinesAsync(path, setup.Options.Hocon.Append(line));
        return path;
    }
}
