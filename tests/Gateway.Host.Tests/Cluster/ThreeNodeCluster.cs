using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Gateway.Host.Tests.Messaging;
using Gateway.Testing;
using static Gateway.Host.Tests.Messaging.CrashRecoveryPorts;

namespace Gateway.Host.Tests.Cluster;

/// <summary>
/// Three gateway nodes as real processes on loopback, one cluster over one PostgreSQL database, as
/// <c>docker/local-cluster.sh</c> runs them: every node lists the three as seed nodes; node 1 starts
/// first (the first seed forms the cluster), then nodes 2 and 3. Failure detection and the Split Brain
/// Resolver are tuned down so a crashed node is downed within seconds, and the drain delay to one
/// second. Disposing kills whatever still runs and drops nothing but the processes.
/// </summary>
public sealed class ThreeNodeCluster : IDisposable
{
    public const string Peer = "+12145555273";
    public const string ClientSecret = "cluster-client-secret";
    public const string SecurityToken = "cluster-security-token";

    /// <summary>The store-and-forward retry interval of these nodes.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(10);

    private const string TestHocon = """
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 3s
        akka.cluster.split-brain-resolver.stable-after = 3s
        gateway.shutdown.drain-delay = 1s
        """;

    private ThreeNodeCluster(IReadOnlyList<CrashRecoveryNode> nodes) => Nodes = nodes;

    public IReadOnlyList<CrashRecoveryNode> Nodes { get; }

    public CrashRecoveryNode this[int number] => Nodes[number - 1];

    /// <summary>Every node's output, each under a header.</summary>
    public string Output => string.Join('\n', Nodes.Select((node, i) => $"===== node {i + 1} =====\n{node.Output}"));

    public static async Task<ThreeNodeCluster> StartAsync(
        string folder, PostgresDatabase database, IReadOnlyDictionary<string, string>? settings, CancellationToken cancellationToken)
    {
        var hocon = Path.Combine(folder, "cluster-test.hocon");
        await File.WriteAllTextAsync(hocon, TestHocon, cancellationToken);
        var shared = new Dictionary<string, string>
        {
            ["GATEWAY_STORAGE"] = "postgres",
            ["GATEWAY_POSTGRES"] = database.ConnectionString,
            ["GATEWAY_RETRY_INTERVAL"] = RetryInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s",
            ["GATEWAY_CONFIG_FILE"] = hocon,
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
            shared[name] = value;
        var nodes = Enumerable.Range(1, 3).Select(n =>
        {
            var nodeFolder = Path.Combine(folder, $"node{n}");
            Directory.CreateDirectory(nodeFolder);
            return new CrashRecoveryNode(nodeFolder, shared);
        }).ToList();
        // the nodes read their settings when they start, so the seed list can name every node's port
        shared["GATEWAY_SEED_NODES"] = string.Join(',', nodes.Select(n => $"akka.tcp://gateway@127.0.0.1:{n.ClusterPort}"));

        var cluster = new ThreeNodeCluster(nodes);
        try
        {
            await nodes[0].StartAsync(cancellationToken);
            await Task.WhenAll(nodes.Skip(1).Select(n => n.StartAsync(cancellationToken)));
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>Provisions the partner (webhook at <paramref name="hookUrl"/>) and the subscribers, through node 1.</summary>
    public async Task ProvisionAsync(string hookUrl, IReadOnlyList<ClusterSubscriber> subscribers, string? groupId, CancellationToken cancellationToken)
    {
        using var admin = this[1].CreateAdminClient();
        await admin.SendExpecting(HttpMethod.Put, "/admin/partners/p1", JsonSerializer.Serialize(new
        {
            primaryUrl = hookUrl, secondaryUrl = (string?)null, clientSecret = ClientSecret, securityToken = SecurityToken,
        }), HttpStatusCode.OK, cancellationToken);
        foreach (var subscriber in subscribers)
        {
            await admin.SendExpecting(HttpMethod.Put, $"/admin/subscribers/{subscriber.Id}", JsonSerializer.Serialize(new
            {
                mobile = subscriber.Mobile, did = subscriber.Did, domain = "cluster.example", partnerId = "p1", groupId,
            }), HttpStatusCode.OK, cancellationToken);
        }
    }

    /// <summary>The handset of <paramref name="subscriber"/> sends <paramref name="text"/>, through <paramref name="node"/>'s simulator API.</summary>
    public async Task OriginateAsync(CrashRecoveryNode node, ClusterSubscriber subscriber, string text, CancellationToken cancellationToken)
    {
        using var admin = node.CreateAdminClient();
        await admin.SendExpecting(HttpMethod.Post, $"/sim/handsets/{subscriber.Mobile}/messages",
            JsonSerializer.Serialize(new { type = "sms", to = new[] { Peer }, text }), HttpStatusCode.Accepted, cancellationToken);
    }

    /// <summary>The partner sends <paramref name="text"/> to <paramref name="subscriber"/> through <paramref name="node"/>'s partner API; returns the id.</summary>
    public async Task<string> TerminateAsync(CrashRecoveryNode node, ClusterSubscriber subscriber, string text, CancellationToken cancellationToken)
    {
        using var client = node.CreateClient();
        var accepted = await client.SendExpecting(HttpMethod.Post, "/v1/messages",
            JsonSerializer.Serialize(new { type = "sms", from = Peer, to = new[] { subscriber.Did }, owner = subscriber.Did, text }),
            HttpStatusCode.Accepted, cancellationToken, bearer: ClientSecret);
        return accepted.GetProperty("id").GetString()!;
    }

    /// <summary>
    /// The partner sends <paramref name="text"/> with an <c>Idempotency-Key</c> through <paramref name="node"/>;
    /// returns the status (202 first, 200 for a repeat) and the message id.
    /// </summary>
    public static async Task<(HttpStatusCode Status, string Id)> TerminateOnceAsync(
        CrashRecoveryNode node, ClusterSubscriber subscriber, string text, string idempotencyKey, CancellationToken cancellationToken)
    {
        using var client = node.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = Json(JsonSerializer.Serialize(new { type = "sms", from = Peer, to = new[] { subscriber.Did }, owner = subscriber.Did, text })),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ClientSecret);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await client.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"POST /v1/messages with Idempotency-Key: {(int)response.StatusCode} {body}");
        using var document = JsonDocument.Parse(body);
        return (response.StatusCode, document.RootElement.GetProperty("id").GetString()!);
    }

    /// <summary>The texts a handset received, oldest first, read through <paramref name="node"/>.</summary>
    public static async Task<IReadOnlyList<string>> InboxAsync(CrashRecoveryNode node, ClusterSubscriber subscriber, CancellationToken cancellationToken)
    {
        using var admin = node.CreateAdminClient();
        var inbox = await admin.SendExpecting(HttpMethod.Get, $"/sim/handsets/{subscriber.Mobile}/messages", null, HttpStatusCode.OK, cancellationToken);
        return [.. inbox.EnumerateArray().Select(m => m.GetProperty("text").GetString()!)];
    }

    /// <summary>How many messages a subscriber still has queued (both directions), read through <paramref name="node"/>.</summary>
    public static async Task<int> PendingAsync(CrashRecoveryNode node, ClusterSubscriber subscriber, CancellationToken cancellationToken)
    {
        using var admin = node.CreateAdminClient();
        var queue = await admin.SendExpecting(HttpMethod.Get, $"/admin/subscribers/{subscriber.Id}/queue", null, HttpStatusCode.OK, cancellationToken);
        return queue.GetProperty("mt").GetArrayLength() + queue.GetProperty("mo").GetArrayLength();
    }

    /// <summary>Runs <paramref name="send"/> for every subscriber at once, each subscriber's messages one after the other.</summary>
    public static Task ForEachSubscriberAsync(IReadOnlyList<ClusterSubscriber> subscribers, Func<ClusterSubscriber, int, Task> send) =>
        Task.WhenAll(subscribers.Select((subscriber, index) => send(subscriber, index)));

    public static IReadOnlyList<ClusterSubscriber> Subscribers(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new ClusterSubscriber(
            $"s{i:00}", $"+1946555{i:0000}", $"+1946566{i:0000}"))];

    public void Dispose()
    {
        foreach (var node in Nodes)
            node.Dispose();
    }
}

/// <summary>A subscriber of the cluster specs: its id, its handset's number and its DID.</summary>
public sealed record ClusterSubscriber(string Id, string Mobile, string Did);

/// <summary>Elapsed-time log lines for a spec's output.</summary>
public sealed class SpecClock(Xunit.Abstractions.ITestOutputHelper output)
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();

    public void Log(string what) => output.WriteLine($"{_watch.Elapsed.TotalSeconds,6:0.0} s  {what}");
}
