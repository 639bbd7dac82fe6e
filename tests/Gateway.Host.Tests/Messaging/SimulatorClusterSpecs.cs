using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Gateway.Domain.Addressing;
using Gateway.Domain.Messaging;
using Gateway.Engine.Delivery;
using Gateway.Engine.Simulator;
using Gateway.Southbound.Simulator;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Gateway.Host.Tests.Api.AdminRequests;
using static Gateway.Host.Tests.Messaging.MessagingGateway;

namespace Gateway.Host.Tests.Messaging;

/// <summary>
/// Full hosts (<see cref="GatewayApp"/>) in one process, on loopback cluster ports, forming one cluster
/// on a shared SQLite file: A (the seed) and B for the whole class, C joining for one spec.
/// </summary>
public sealed class SimulatorClusterFixture : IAsyncLifetime
{
    public const string Secret = "partner-secret";
    public const string Peer = "+12145555273";
    public const int InboxLimit = 5;
    public static readonly TimeSpan ClusterTimeout = TimeSpan.FromSeconds(2);

    private readonly TempDirectory _data = new("gateway-sim-cluster");
    private string _seed = "";
    private int _nextNumber;

    public GatewayApp A { get; private set; } = null!;
    public GatewayApp B { get; private set; } = null!;
    public HttpClient AdminA { get; private set; } = null!;
    public HttpClient AdminB { get; private set; } = null!;
    public HttpClient PartnerA { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var (portA, portB) = (TestCluster.FreePort(), TestCluster.FreePort());
        _seed = TestCluster.Address(portA);
        A = StartNode(portA);
        B = StartNode(portB);
        await Task.WhenAll(A.WaitUntilReadyAsync(), B.WaitUntilReadyAsync());
        await WaitForUpMembersAsync(2, A, B);
        AdminA = A.CreateAdminClient();
        AdminB = B.CreateAdminClient();
        PartnerA = A.CreateClient();
        PartnerA.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Secret);
        await AdminA.PutOk("/admin/partners/p1", PartnerBody(Secret));
    }

    public async Task DisposeAsync()
    {
        foreach (var client in new[] { AdminA, AdminB, PartnerA })
            client?.Dispose();
        if (B is not null)
            await B.DisposeAsync();
        if (A is not null)
            await A.DisposeAsync();
        _data.Dispose();
    }

    /// <summary>A node of this cluster on <paramref name="port"/> (started by its first use), joining A.</summary>
    public GatewayApp StartNode(int port)
    {
        var hocon = Path.Combine(_data.Path, "simulator.hocon");
        File.WriteAllText(hocon, $"""
            gateway.network.simulator-inbox-limit = {InboxLimit}
            gateway.network.simulator-cluster-timeout = {ClusterTimeout.TotalSeconds}s
            """);
        var settings = new Dictionary<string, string>(FastDelivery)
        {
            ["GATEWAY_CLUSTER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["GATEWAY_SEED_NODES"] = _seed,
            ["GATEWAY_CONFIG_FILE"] = hocon,
        };
        return new GatewayApp(_data.Path, new TestStorage.Sqlite(), settings);
    }

    public static async Task WaitForUpMembersAsync(int count, params GatewayApp[] nodes)
    {
        foreach (var node in nodes)
        {
            var cluster = Akka.Cluster.Cluster.Get(node.Services.GetRequiredService<ActorSystem>());
            await EventuallyAsync(() => Task.FromResult(cluster.State.Members.Count(m => m.Status == MemberStatus.Up)),
                up => up == count, $"{count} members Up as {cluster.SelfAddress} sees them", seconds: 30);
        }
    }

    public static SimulatedMobileNetwork NetworkOf(GatewayApp node) => node.Services.GetRequiredService<SimulatedMobileNetwork>();

    public static Address AddressOf(GatewayApp node) => Akka.Cluster.Cluster.Get(node.Services.GetRequiredService<ActorSystem>()).SelfAddress;

    public string NewMobile() => $"+1946556{Interlocked.Increment(ref _nextNumber):D4}";

    /// <summary>
    /// Provisions subscribers, each sent one termination through A, until one's entity runs on
    /// <paramref name="node"/>: its handset's message is in that node's own simulator.
    /// </summary>
    public async Task<(string SubscriberId, string Mobile, string Did)> SubscriberServedByAsync(GatewayApp node)
    {
        const int Candidates = 16;
        for (var n = 0; n < Candidates; n++)
        {
            var (mobile, did) = (NewMobile(), NewMobile());
            var subscriberId = $"s{mobile[^4..]}";
            await AdminA.PutOk($"/admin/subscribers/{subscriberId}", SubscriberBody(mobile, did, "p1"));
            // The entity may run on B, whose provisioning directory follows the journal (refresh-interval, 1 s);
            // an entity that does not find its subscriber fails the message permanently, so wait for it.
            await EventuallyAsync(async () => (await AdminB.GetAsync($"/admin/subscribers/{subscriberId}")).StatusCode,
                status => status == HttpStatusCode.OK, "B's directory has the subscriber");
            await AcceptAsync(PartnerA, Sms(Peer, did, $"hello {subscriberId}"));
            await InboxAsync(AdminA, mobile, inbox => inbox.Count == 1, "the first message delivered");
            if (NetworkOf(node).GetInbox(E164Number.Parse(mobile)).Count == 1)
                return (subscriberId, mobile, did);
        }
        Assert.Fail($"None of {Candidates} subscribers' entities ran on {AddressOf(node)}.");
        return default;
    }

    public static async Task<IReadOnlyList<JsonElement>> InboxAsync(
        HttpClient admin, string mobile, Func<IReadOnlyList<JsonElement>, bool> condition, string what) =>
        await EventuallyAsync(async () => (await admin.GetOk($"/sim/handsets/{mobile}/messages")).EnumerateArray().ToList(), condition, what);

    public static NetworkSubmission Mms(string mobile, string text) =>
        new(MessageId.New(DateTimeOffset.UtcNow), E164Number.Parse(mobile),
            new MessageContent(MessageType.Mms, Peer, [mobile], mobile, text, []), null);
}

/// <summary>
/// The embedded simulator is one mobile network across the cluster (CONTRACT §5; docs/architecture.md,
/// "Network simulator"): any node shows what a handset received on every node, and reachability set through
/// any node holds on every node, a node that joins later included.
/// </summary>
public sealed class SimulatorClusterSpecs(SimulatorClusterFixture cluster) : IClassFixture<SimulatorClusterFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static IEnumerable<string?> Texts(IEnumerable<JsonElement> inbox) => inbox.Select(m => m.GetProperty("text").GetString());

    [Fact]
    public async Task A_termination_delivered_on_one_node_should_be_in_the_inbox_read_on_any_node()
    {
        var (onB, mobileOnB, _) = await cluster.SubscriberServedByAsync(cluster.B);
        var (onA, mobileOnA, _) = await cluster.SubscriberServedByAsync(cluster.A);

        // each node's own simulator holds only what its entities delivered
        Assert.Empty(SimulatorClusterFixture.NetworkOf(cluster.A).GetInbox(E164Number.Parse(mobileOnB)));
        Assert.Empty(SimulatorClusterFixture.NetworkOf(cluster.B).GetInbox(E164Number.Parse(mobileOnA)));
        // ... and either node shows both
        foreach (var admin in new[] { cluster.AdminA, cluster.AdminB })
        {
            Assert.Equal([$"hello {onB}"], Texts((await admin.GetOk($"/sim/handsets/{mobileOnB}/messages")).EnumerateArray()));
            Assert.Equal([$"hello {onA}"], Texts((await admin.GetOk($"/sim/handsets/{mobileOnA}/messages")).EnumerateArray()));
        }
    }

    [Fact]
    public async Task An_inbox_filled_on_two_nodes_should_read_oldest_first_up_to_the_limit_on_either()
    {
        // A handset's entity delivers through the node it runs on, and moves when nodes come and go: here
        // the two nodes' networks take turns delivering to one handset.
        var mobile = cluster.NewMobile();
        var nodes = new[] { cluster.A, cluster.B };
        var previous = DateTimeOffset.MinValue;
        for (var n = 0; n < SimulatorClusterFixture.InboxLimit + 2; n++)
        {
            SpinWait.SpinUntil(() => DateTimeOffset.UtcNow > previous); // distinct receivedAt, so the order is known
            previous = DateTimeOffset.UtcNow;
            var outcome = await SimulatorClusterFixture.NetworkOf(nodes[n % 2]).SubmitAsync(SimulatorClusterFixture.Mms(mobile, $"m{n}"), CancellationToken.None);
            Assert.Equal(DeliveryOutcome.Delivered, outcome);
        }

        // 7 messages, the limit is 5: the newest 5, oldest first
        string[] expected = ["m2", "m3", "m4", "m5", "m6"];
        foreach (var admin in new[] { cluster.AdminA, cluster.AdminB })
        {
            var inbox = (await admin.GetOk($"/sim/handsets/{mobile}/messages")).EnumerateArray().ToList();
            Assert.Equal(expected, Texts(inbox));
            var receivedAt = inbox.Select(m => m.GetProperty("receivedAt").GetString()!).ToList();
            Assert.Equal(receivedAt.Order(StringComparer.Ordinal), receivedAt);
        }
        Assert.Equal(["m0", "m2", "m4", "m6"], SimulatorClusterFixture.NetworkOf(cluster.A).GetInbox(E164Number.Parse(mobile)).Select(m => m.Text));
        Assert.Equal(["m1", "m3", "m5"], SimulatorClusterFixture.NetworkOf(cluster.B).GetInbox(E164Number.Parse(mobile)).Select(m => m.Text));
    }

    [Fact]
    public async Task Reachability_set_through_one_node_should_hold_on_every_node_and_on_a_node_that_joins_later()
    {
        var (subscriberId, mobile, did) = await cluster.SubscriberServedByAsync(cluster.B);
        var networkB = SimulatorClusterFixture.NetworkOf(cluster.B);

        await cluster.AdminA.PutOk($"/sim/handsets/{mobile}/reachable", """{"reachable": false}""");

        // the 200 means every node holds it: B's next delivery fails, with nothing to wait for
        Assert.Equal(DeliveryOutcome.Temporary("handset unreachable"),
            await networkB.SubmitAsync(SimulatorClusterFixture.Mms(mobile, "direct on B"), CancellationToken.None));
        // and so does the entity's, on B
        var id = await AcceptAsync(cluster.PartnerA, Sms(SimulatorClusterFixture.Peer, did, "while unreachable"));
        var status = await EventuallyAsync(() => StatusAsync(cluster.PartnerA, id),
            s => s.GetProperty("attempts").GetInt32() >= 1, "the message tried once");
        Assert.Equal("queued", status.GetProperty("status").GetString());
        Assert.Equal("handset unreachable", status.GetProperty("lastError").GetString());

        // a node that joins afterwards knows it before it delivers anything
        await using var c = cluster.StartNode(TestCluster.FreePort());
        await c.WaitUntilReadyAsync();
        Assert.Equal(DeliveryOutcome.Temporary("handset unreachable"),
            await SimulatorClusterFixture.NetworkOf(c).SubmitAsync(SimulatorClusterFixture.Mms(mobile, "direct on C"), CancellationToken.None));

        // reachable again, through the new node: deliveries resume on every node
        using var adminC = c.CreateAdminClient();
        await adminC.PutOk($"/sim/handsets/{mobile}/reachable", """{"reachable": true}""");
        Assert.Equal(DeliveryOutcome.Delivered,
            await networkB.SubmitAsync(SimulatorClusterFixture.Mms(mobile, "direct on B, reachable"), CancellationToken.None));
        var inbox = await SimulatorClusterFixture.InboxAsync(adminC, mobile,
            messages => Texts(messages).Contains("while unreachable"), "the queued message delivered after the retry interval");
        // the retry and the direct delivery may come in either order
        Assert.Equal(new[] { $"hello {subscriberId}", "direct on B, reachable", "while unreachable" }.Order(StringComparer.Ordinal),
            Texts(inbox).Order(StringComparer.Ordinal));
        Assert.Equal("delivered", (await EventuallyAsync(() => StatusAsync(cluster.PartnerA, id),
            s => s.GetProperty("status").GetString() == "delivered", "the message delivered")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_inbox_read_should_answer_503_rather_than_a_partial_list_when_a_node_does_not_answer()
    {
        var mobile = cluster.NewMobile();
        var systemB = cluster.B.Services.GetRequiredService<ActorSystem>();
        var simulatorB = await systemB.ActorSelection($"/user/{SimulatorProtocol.ActorName}").ResolveOne(Timeout);
        Assert.True(await simulatorB.GracefulStop(Timeout));
        try
        {
            var response = await cluster.AdminA.GetAsync($"/sim/handsets/{mobile}/messages");

            var message = await response.AssertError(HttpStatusCode.ServiceUnavailable, "service_unavailable");
            Assert.Contains(SimulatorClusterFixture.AddressOf(cluster.B).ToString(), message);
            Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        }
        finally
        {
            // the name is free once the guardian has seen the actor stop
            await EventuallyAsync(() => Task.FromResult(TryStartSimulator(systemB)), started => started, "B's simulator actor started again");
        }
        Assert.Empty((await cluster.AdminA.GetOk($"/sim/handsets/{mobile}/messages")).EnumerateArray());
    }

    private bool TryStartSimulator(ActorSystem system)
    {
        try
        {
            system.ActorOf(SimulatorNodeActor.Props(SimulatorClusterFixture.NetworkOf(cluster.B), 1024 * 1024), SimulatorProtocol.ActorName);
            return true;
        }
        catch (InvalidActorNameException)
        {
            return false;
        }
    }
}

/// <summary>A node that has not joined its cluster cannot promise anything for the other nodes.</summary>
public sealed class SimulatorUnjoinedNodeSpecs
{
    [Fact]
    public async Task A_node_that_has_not_joined_should_refuse_a_reachability_change_and_hold_its_deliveries()
    {
        using var data = new TempDirectory("gateway-sim-unjoined");
        var hocon = Path.Combine(data.Path, "simulator.hocon");
        await File.WriteAllTextAsync(hocon, "gateway.network.simulator-cluster-timeout = 1s");
        await using var app = new GatewayApp(data.Path, new TestStorage.Sqlite(), new Dictionary<string, string>
        {
            ["GATEWAY_CLUSTER_PORT"] = TestCluster.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            // a seed nobody answers on: the node keeps trying to join
            ["GATEWAY_SEED_NODES"] = TestCluster.Address(TestCluster.FreePort()),
            ["GATEWAY_CONFIG_FILE"] = hocon,
        });
        using var admin = app.CreateAdminClient();

        var response = await admin.PutAsync("/sim/handsets/+19465559040/reachable", Json("""{"reachable": false}"""));

        var message = await response.AssertError(HttpStatusCode.ServiceUnavailable, "service_unavailable");
        Assert.Contains("Not every node", message);
        var outcome = await app.Services.GetRequiredService<SimulatedMobileNetwork>()
            .SubmitAsync(SimulatorClusterFixture.Mms("+19465559040", "Hi"), CancellationToken.None);
        Assert.Equal(DeliveryResult.TemporaryFailure, outcome.Result);
        Assert.Contains("has not joined yet", outcome.Error);
        // its own inbox it can still show
        Assert.Empty((await admin.GetOk("/sim/handsets/+19465559040/messages")).EnumerateArray());
    }
}
