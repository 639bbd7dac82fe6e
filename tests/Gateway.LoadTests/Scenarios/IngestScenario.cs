using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Gateway.LoadTests.Scenarios;

/// <summary>
/// Terminations accepted per second (each journaled before its <c>202</c>), one SMS per
/// <c>POST /v1/messages</c>, closed loop. Cold: one message to each subscriber whose entity has not
/// started since the node started (every one pays its entity's recovery). Warm: then, for the
/// duration, messages cycling over the same subscribers, whose entities run. Before both, 10 s of the
/// same load to other subscribers warms the node itself (JIT, connection pools).
/// </summary>
public static class IngestScenario
{
    public static async Task<Table> RunAsync(LoadSetup setup)
    {
        var options = setup.Options;
        var subscribers = options.Subscribers ?? 10_000;
        var connections = options.Connections ?? 64;
        var duration = options.Duration ?? TimeSpan.FromSeconds(20);
        // subscribers [N, N + WarmUpSubscribers) take the node's own warm-up (JIT, pools, caches) first,
        // so that the cold phase measures what a first message to an idle subscriber costs
        const int WarmUpSubscribers = 1_000;
        using var node = await setup.StartNodeAsync("node1");
        var took = await new Provisioner(node.BaseAddress, LoadSetup.AdminToken)
            .ProvisionAsync(setup.Sink.Url, subscribers + WarmUpSubscribers, 32, setup.Progress);
        setup.Progress.Say($"provisioned {subscribers + WarmUpSubscribers:N0} subscribers in {took.TotalSeconds:0.0} s");

        var text = SmsText(options.TextLength);
        var bodies = Enumerable.Range(0, subscribers + WarmUpSubscribers)
            .Select(i => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
            {
                type = "sms",
                from = "+12145550100",
                to = new[] { Provisioner.Did(i) },
                owner = Provisioner.Did(i),
                text,
            })))
            .ToArray();
        HttpRequestMessage Request(long sequence) => Post(bodies[sequence % subscribers]);
        HttpRequestMessage WarmUpRequest(long sequence) => Post(bodies[subscribers + sequence % WarmUpSubscribers]);
        HttpRequestMessage Post(byte[] body)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Provisioner.ClientSecret);
            return request;
        }

        var table = new Table(
            $"ingest: {setup.StorageLabel}, {subscribers:N0} subscribers, {connections} connections, {options.TextLength}-character SMS",
            "phase", "requests", "202/s", "p50", "p95", "p99", "max", "answers", "node CPU", "node RSS after");
        using var client = LoadDriver.Client(node.BaseAddress, connections, TimeSpan.FromSeconds(30));
        await Phase($"node warm-up ({WarmUpSubscribers:N0} other subscribers, 10 s)", () =>
            LoadDriver.ClosedLoopAsync(client, connections, TimeSpan.FromSeconds(10), WarmUpRequest, setup.Progress, "node warm-up"));
        await Phase("cold (first message to each subscriber)", () =>
            LoadDriver.ClosedLoopAsync(client, connections, TimeSpan.FromSeconds(300), Request, setup.Progress, "cold", limit: subscribers));
        await Phase($"warm ({duration.TotalSeconds:0} s)", () =>
            LoadDriver.ClosedLoopAsync(client, connections, duration, Request, setup.Progress, "warm"));
        return table;

        async Task Phase(string name, Func<Task<LoadResult>> run)
        {
            var cpu = CpuSample.Of(node);
            var result = await run();
            var latencies = result.Latencies;
            table.Add(name, $"{result.Requests:N0}", $"{result.PerSecond(202):N0}",
                Latencies.Format(latencies.Percentile(50)), Latencies.Format(latencies.Percentile(95)),
                Latencies.Format(latencies.Percentile(99)), Latencies.Format(latencies.Max), result.Statuses(),
                CpuSample.Of(node).SharePercentSince(cpu), Table.Mib(node.Memory().Rss));
        }
    }

    /// <summary>GSM 7-bit letters, digits and spaces, as the Kannel anchor's texts.</summary>
    public static string SmsText(int length)
    {
        const string alphabet = "abcdefghij klmnopqrst uvwxyz0123 456789ABCD EFGHIJKLMN OPQRSTUVWXYZ ";
        return string.Concat(Enumerable.Range(0, length).Select(i => alphabet[i % alphabet.Length]));
    }
}
