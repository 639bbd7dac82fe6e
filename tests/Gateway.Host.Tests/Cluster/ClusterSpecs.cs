using Gateway.Host.Tests.Messaging;
using Gateway.Testing;
using Xunit.Abstractions;
using static Gateway.Host.Tests.Messaging.CrashRecoveryPorts;

namespace Gateway.Host.Tests.Cluster;

/// <summary>
/// Three nodes, one PostgreSQL journal (issue 7): subscribers spread over the nodes by Cluster Sharding,
/// provisioned through one node and served by the others; a node killed (SIGKILL) or leaving (SIGTERM)
/// without a message lost, repeated needlessly or held up. Real processes on loopback; every wait is
/// bounded, and each spec within <see cref="Budget"/>.
/// </summary>
public sealed class ClusterSpecs(ITestOutputHelper output)
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(60);

    [SkippableFact]
    public async Task Messages_accepted_through_every_node_should_be_delivered_once_each_in_per_subscriber_order()
    {
        PostgresDatabase.SkipUnlessConfigured();
        using var budget = new CancellationTokenSource(Budget);
        var ct = budget.Token;
        var clock = new SpecClock(output);
        using var folder = new TempDirectory("gateway-cluster");
        await using var database = await PostgresDatabase.CreateAsync();
        await using var partner = new CrashRecoveryPartner();
        await partner.StartAsync(ct);
        using var cluster = await StartClusterAsync(folder.Path, database, ct);
        try
        {
            clock.Log("three nodes ready");
            var subscribers = ThreeNodeCluster.Subscribers(24);
            await cluster.ProvisionAsync(partner.HookUrl, subscribers, groupId: null, ct); // all through node 1
            clock.Log("provisioned through node 1");

            // message k of subscriber i goes through node (i + k) % 3: every subscriber uses every node
            const int perSubscriber = 3;
            var terminations = new Dictionary<string, List<string>>();
            await ThreeNodeCluster.ForEachSubscriberAsync(subscribers, async (subscriber, i) =>
            {
                var texts = new List<string>();
                for (var k = 0; k < perSubscriber; k++)
                {
                    var node = cluster.Nodes[(i + k) % 3];
                    await cluster.OriginateAsync(node, subscriber, MoText(subscriber, k), ct);
                    var text = MtText(subscriber, k);
                    await cluster.TerminateAsync(node, subscriber, text, ct);
                    texts.Add(text);
                }
                lock (terminations)
                    terminations[subscriber.Id] = texts;
            });
            clock.Log($"{subscribers.Count * perSubscriber} originations and as many terminations accepted");

            var posts = await Eventually(_ => Task.FromResult(partner.Posts),
                p => p.Count >= subscribers.Count * perSubscriber, "every origination at the partner", DeliveryTimeout, ct,
                p => $"{p.Count} posts");
            clock.Log("partner has every origination");
            AssertDeliveredOnceInOrder(subscribers, posts, perSubscriber);

            // every handset, read through one node, received its terminations once each and in order
            foreach (var subscriber in subscribers)
            {
                var inbox = await Eventually(c => ThreeNodeCluster.InboxAsync(cluster[2], subscriber, c),
                    texts => texts.Count >= perSubscriber, $"the terminations on {subscriber.Mobile}", DeliveryTimeout, ct,
                    texts => string.Join(" | ", texts));
                Assert.Equal(terminations[subscriber.Id], inbox);
            }
            clock.Log("every handset has its terminations");

            // one Idempotency-Key sent through each node in turn names one message, delivered once
            var keyed = subscribers[0];
            var sends = new List<(System.Net.HttpStatusCode Status, string Id)>();
            foreach (var node in cluster.Nodes)
                sends.Add(await ThreeNodeCluster.TerminateOnceAsync(node, keyed, "sent once, through three nodes", "cluster-key-1", ct));
            output.WriteLine($"Idempotency-Key through nodes 1, 2, 3: {string.Join(", ", sends.Select(s => $"{(int)s.Status} {s.Id}"))}");
            Assert.Single(sends.Select(s => s.Id).Distinct());
            var keyedInbox = await Eventually(c => ThreeNodeCluster.InboxAsync(cluster[3], keyed, c),
                texts => texts.Count > perSubscriber, "the keyed termination on the handset", DeliveryTimeout, ct);
            Assert.Equal([.. terminations[keyed.Id], "sent once, through three nodes"], keyedInbox);
        }
        catch
        {
            output.WriteLine(cluster.Output);
            throw;
        }
    }

    [SkippableFact]
    public async Task A_node_killed_with_queued_messages_should_have_its_subscribers_recovered_on_the_survivors_without_loss()
    {
        PostgresDatabase.SkipUnlessConfigured();
        using var budget = new CancellationTokenSource(Budget);
        var ct = budget.Token;
        var clock = new SpecClock(output);
        using var folder = new TempDirectory("gateway-cluster");
        await using var database = await PostgresDatabase.CreateAsync();
        await using var partner = new CrashRecoveryPartner { Failing = true };
        await partner.StartAsync(ct);
        using var cluster = await StartClusterAsync(folder.Path, database, ct);
        try
        {
            var subscribers = ThreeNodeCluster.Subscribers(24);
            await cluster.ProvisionAsync(partner.HookUrl, subscribers, groupId: null, ct);
            const int perSubscriber = 3;
            await ThreeNodeCluster.ForEachSubscriberAsync(subscribers, async (subscriber, i) =>
            {
                for (var k = 0; k < perSubscriber; k++)
                    await cluster.OriginateAsync(cluster.Nodes[(i + k) % 3], subscriber, MoText(subscriber, k), ct);
            });
            // every subscriber's head has failed at least once: the messages are in store-and-forward
            await Eventually(_ => Task.FromResult(partner.Refused), refused => refused >= subscribers.Count,
                "every subscriber's first attempt to fail", DeliveryTimeout, ct);
            clock.Log($"{subscribers.Count * perSubscriber} originations queued, partner failing ({partner.Refused} attempts refused)");

            // node 1 is the oldest: it also runs the shard coordinator and the singletons
            cluster[1].Kill();
            clock.Log("node 1 killed (SIGKILL)");
            partner.Failing = false;

            var posts = await Eventually(_ => Task.FromResult(partner.Posts),
                p => p.Select(x => x.Id).Distinct().Count() >= subscribers.Count * perSubscriber,
                "every origination at the partner", DeliveryTimeout, ct, p => $"{p.Select(x => x.Id).Distinct().Count()} distinct posts");
            clock.Log("partner has every origination");

            // at least once: a delivery under way when the node died may be repeated, with the same id and text
            var repeated = posts.GroupBy(p => p.Id).Where(g => g.Count() > 1).ToList();
            output.WriteLine($"duplicates after kill -9: {repeated.Count} message(s) posted more than once: " +
                             string.Join(", ", repeated.Select(g => $"{g.Key} x{g.Count()}")));
            Assert.All(repeated, g => Assert.Single(g.Select(p => (p.Text, p.From)).Distinct()));
            AssertDeliveredInOrder(subscribers, DistinctById(posts), perSubscriber);

            // and nothing is left pending on the survivors
            foreach (var subscriber in subscribers)
                await Eventually(c => ThreeNodeCluster.PendingAsync(cluster[2], subscriber, c), pending => pending == 0,
                    $"{subscriber.Id}'s queue to empty", DeliveryTimeout, ct);
        }
        catch
        {
            output.WriteLine(cluster.Output);
            throw;
        }
    }

    [SkippableFact]
    public async Task A_node_leaving_on_sigterm_should_deliver_nothing_twice_and_hold_nothing_beyond_one_retry_interval()
    {
        PostgresDatabase.SkipUnlessConfigured();
        using var budget = new CancellationTokenSource(Budget);
        var ct = budget.Token;
        var clock = new SpecClock(output);
        using var folder = new TempDirectory("gateway-cluster");
        await using var database = await PostgresDatabase.CreateAsync();
        // a partner slow to answer, so deliveries are under way when the node leaves
        await using var partner = new CrashRecoveryPartner { AnswerDelay = TimeSpan.FromMilliseconds(300) };
        await partner.StartAsync(ct);
        using var cluster = await StartClusterAsync(folder.Path, database, ct);
        try
        {
            var subscribers = ThreeNodeCluster.Subscribers(24);
            await cluster.ProvisionAsync(partner.HookUrl, subscribers, groupId: null, ct);
            // six messages each at 1 message/s per subscriber: about six seconds of deliveries per subscriber
            const int perSubscriber = 6;
            await ThreeNodeCluster.ForEachSubscriberAsync(subscribers, async (subscriber, i) =>
            {
                for (var k = 0; k < perSubscriber; k++)
                    await cluster.OriginateAsync(cluster.Nodes[(i + k) % 3], subscriber, MoText(subscriber, k), ct);
            });
            clock.Log($"{subscribers.Count * perSubscriber} originations accepted");
            await Eventually(_ => Task.FromResult(partner.Posts), p => p.Count >= subscribers.Count,
                "deliveries to be under way", DeliveryTimeout, ct, p => $"{p.Count} posts");

            // node 1 (the oldest: shard coordinator and singletons) leaves as an orchestrator stops it
            var terminatedAt = DateTimeOffset.UtcNow;
            cluster[1].Terminate();
            clock.Log($"node 1 sent SIGTERM with {partner.Posts.Count} messages delivered");

            var posts = await Eventually(_ => Task.FromResult(partner.Posts),
                p => p.Count >= subscribers.Count * perSubscriber, "every origination at the partner", DeliveryTimeout, ct,
                p => $"{p.Count} posts");
            Assert.Equal(0, await cluster[1].WaitForExitAsync(TimeSpan.FromSeconds(60)));
            clock.Log("partner has every origination; node 1 exited 0");

            AssertDeliveredOnceInOrder(subscribers, posts, perSubscriber);
            // no subscriber waited longer than one retry interval between two deliveries, across the hand-off
            var longestGap = subscribers
                .Select(s => posts.Where(p => p.From == s.Did).Select(p => p.ReceivedAt).Order().ToList())
                .SelectMany(times => times.Zip(times.Skip(1), (a, b) => b - a))
                .Max();
            var handOffGap = posts.Where(p => p.ReceivedAt > terminatedAt).Min(p => p.ReceivedAt) - terminatedAt;
            output.WriteLine($"longest gap between two deliveries of a subscriber: {longestGap.TotalSeconds:0.00} s; " +
                             $"first delivery after SIGTERM: {handOffGap.TotalSeconds:0.00} s");
            Assert.True(longestGap <= ThreeNodeCluster.RetryInterval,
                $"a subscriber waited {longestGap.TotalSeconds:0.00} s between two deliveries, more than the retry interval");
        }
        catch
        {
            output.WriteLine(cluster.Output);
            throw;
        }
    }

    [SkippableFact]
    public async Task Message_copy_offload_to_a_recording_server_should_never_run_in_two_nodes_at_once()
    {
        PostgresDatabase.SkipUnlessConfigured();
        using var budget = new CancellationTokenSource(Budget);
        var ct = budget.Token;
        var clock = new SpecClock(output);
        using var folder = new TempDirectory("gateway-cluster");
        await using var database = await PostgresDatabase.CreateAsync();
        await using var partner = new CrashRecoveryPartner();
        await partner.StartAsync(ct);
        await using var recorder = await OverlapDetectingRecordingServer.StartAsync(TimeSpan.FromMilliseconds(100));
        // cycles every second of at most five copies: the offload is busy the whole time
        using var cluster = await StartClusterAsync(folder.Path, database, ct,
            new Dictionary<string, string> { ["GATEWAY_COPY_INTERVAL"] = "1s", ["GATEWAY_COPY_BATCH"] = "5" });
        try
        {
            using (var admin = cluster[2].CreateAdminClient())
            {
                await admin.SendExpecting(HttpMethod.Put, "/admin/recording-servers/rs1",
                    $$"""{"name": "recorder", "url": "{{recorder.Url}}", "authenticationKey": null}""", System.Net.HttpStatusCode.OK, ct);
                await admin.SendExpecting(HttpMethod.Put, "/admin/groups/g1",
                    """{"messageCopy": {"enabled": true, "recordingServerId": "rs1"}}""", System.Net.HttpStatusCode.OK, ct);
            }
            var subscribers = ThreeNodeCluster.Subscribers(12);
            await cluster.ProvisionAsync(partner.HookUrl, subscribers, groupId: "g1", ct);
            const int perSubscriber = 4;
            await ThreeNodeCluster.ForEachSubscriberAsync(subscribers, async (subscriber, i) =>
            {
                for (var k = 0; k < perSubscriber; k++)
                    await cluster.OriginateAsync(cluster.Nodes[(i + k) % 3], subscriber, MoText(subscriber, k), ct);
            });
            var expected = subscribers.SelectMany(s => Enumerable.Range(0, perSubscriber).Select(k => MoText(s, k))).ToHashSet();
            await Eventually(_ => Task.FromResult(recorder.Messages), m => m.Count >= 10, "the offload to be under way", DeliveryTimeout, ct,
                m => $"{m.Count} copies");
            clock.Log($"{recorder.Messages.Count} of {expected.Count} copies offloaded; node 1 (the singleton's node) sent SIGTERM");

            // the offload's singleton moves from node 1 to the next oldest node
            cluster[1].Terminate();
            var received = await Eventually(_ => Task.FromResult(recorder.Messages), m => expected.IsSubsetOf(m),
                "every copy at the recording server", DeliveryTimeout, ct, m => $"{m.Distinct().Count()} distinct copies");
            Assert.Equal(0, await cluster[1].WaitForExitAsync(TimeSpan.FromSeconds(60)));
            clock.Log($"every copy offloaded; {received.Count - received.Distinct().Count()} posted twice; node 1 exited 0");

            Assert.Equal(1, recorder.MostAtOnce);
            Assert.Equal(expected.Order(), received.Distinct().Order());
        }
        catch
        {
            output.WriteLine(cluster.Output);
            throw;
        }
    }

    private async Task<ThreeNodeCluster> StartClusterAsync(
        string folder, PostgresDatabase database, CancellationToken ct, IReadOnlyDictionary<string, string>? settings = null)
    {
        using var starting = CancellationTokenSource.CreateLinkedTokenSource(ct);
        starting.CancelAfter(StartTimeout);
        return await ThreeNodeCluster.StartAsync(folder, database, settings, starting.Token);
    }

    private static string MoText(ClusterSubscriber subscriber, int k) => $"mo {k} from {subscriber.Id}";

    private static string MtText(ClusterSubscriber subscriber, int k) => $"mt {k} to {subscriber.Id}";

    private static IReadOnlyList<CrashRecoveryPost> DistinctById(IReadOnlyList<CrashRecoveryPost> posts) =>
        [.. posts.GroupBy(p => p.Id).Select(g => g.First())];

    /// <summary>Exactly once each: no id posted twice, and every subscriber's texts in the order sent.</summary>
    private static void AssertDeliveredOnceInOrder(IReadOnlyList<ClusterSubscriber> subscribers, IReadOnlyList<CrashRecoveryPost> posts, int perSubscriber)
    {
        var repeated = posts.GroupBy(p => p.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(repeated.Count == 0, $"posted more than once: {string.Join(", ", repeated)}");
        AssertDeliveredInOrder(subscribers, posts, perSubscriber);
    }

    private static void AssertDeliveredInOrder(IReadOnlyList<ClusterSubscriber> subscribers, IReadOnlyList<CrashRecoveryPost> posts, int perSubscriber)
    {
        Assert.Equal(subscribers.Count * perSubscriber, posts.Count);
        foreach (var subscriber in subscribers)
        {
            Assert.Equal(
                Enumerable.Range(0, perSubscriber).Select(k => MoText(subscriber, k)),
                posts.Where(p => p.From == subscriber.Did).OrderBy(p => p.ReceivedAt).Select(p => p.Text));
        }
    }
}
