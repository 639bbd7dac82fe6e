using System.Globalization;

namespace Gateway.LoadTests;

/// <summary>
/// A few values of a node's <c>GET /metrics</c> (Prometheus text): the live managed heap as the last
/// GC left it (every generation, less the free space between its objects; garbage made since is not
/// counted) and the messages its entities hold.
/// </summary>
public sealed record NodeMetrics(double LiveHeapBytes, double QueuedMessages)
{
    public static async Task<NodeMetrics> ReadAsync(GatewayNode node)
    {
        using var client = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var text = await client.GetStringAsync("/metrics");
        // one metric, summed over its label sets; matched by the end of its name (prometheus-net
        // prefixes a meter's instruments with the meter's name)
        double Value(string name) => text.Split('\n')
            .Where(line => !line.StartsWith('#'))
            .Select(line => (Name: line.Split(' ', '{')[0], Line: line))
            .Where(metric => metric.Name == name || metric.Name.EndsWith("_" + name, StringComparison.Ordinal))
            .Select(metric => double.Parse(metric.Line[(metric.Line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture))
            .DefaultIfEmpty(double.NaN)
            .Sum();
        // a non-compacting GC leaves free space in the heap's size: not live, so not counted
        var live = Value("dotnet_gc_last_collection_heap_size") - Value("dotnet_gc_last_collection_heap_fragmentation_size");
        return new NodeMetrics(live, Value("messages_queued"));
    }
}
