using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Gateway.Testing;
using Xunit.Abstractions;
using static Gateway.Host.Tests.Messaging.CrashRecoveryPorts;

namespace Gateway.Host.Tests.Messaging;

/// <summary>
/// What a node that is killed (SIGKILL) had accepted is delivered after it starts again on the same
/// data folder, in order (CONTRACT §3, §4: <c>202</c> only once journaled; store and forward; at least
/// once). The node runs as a real process on a SQLite journal, a one-node cluster; the partner is a
/// real HTTP server that is down while the first process runs and comes up after the restart.
/// Retries every second and ten messages a second per lane keep each spec within seconds; every wait is
/// bounded and the whole spec within <see cref="Budget"/>.
/// </summary>
public sealed class CrashRecoverySpecs(ITestOutputHelper output)
{
    private const string Mobile = "+19465559040";
    private const string Did = "+19465559041";
    private const string Peer = "+12145555273";
    private const string ClientSecret = "crash-recovery-client-secret";
    private const string SecurityToken = "crash-recovery-security-token";

    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(55);
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(15);

    private static readonly Dictionary<string, string> FastRetries = new()
    {
        ["GATEWAY_RETRY_INTERVAL"] = "1s",
        ["GATEWAY_EGRESS_RATE"] = "10",
    };

    // distinct texts (order is checked by text): one of two segments sent shuffled, one UCS-2
    private static readonly (string Text, bool Shuffle, int Segments)[] Originations =
    [
        ("mo 1: sent while the partner is down", false, 1),
        ("mo 2: two segments, shuffled on the way in. " + new string('x', 150), true, 2),
        ("mo 3: UCS-2 😀 survives the crash", false, 1),
        ("mo 4: {braces} [brackets] ~tilde~", false, 1),
        ("mo 5: the last one", false, 1),
    ];

    private static readonly (string Text, int Segments)[] Terminations =
    [
        ("mt 1: sent while the handset is off", 1),
        ("mt 2: two segments to the handset. " + new string('y', 150), 2),
        ("mt 3: ünïcödé 😀 to the handset", 1),
    ];

    [Fact]
    public async Task Stored_originations_and_terminations_should_be_delivered_in_order_after_kill_9()
    {
        using var budget = new CancellationTokenSource(Budget);
        var ct = budget.Token;
        var clock = Stopwatch.StartNew();
        using var folder = new TempDirectory("gateway-crash-recovery");
        using var node = new CrashRecoveryNode(folder.Path, FastRetries);
        await using var partner = new CrashRecoveryPartner(); // down: nothing listens on its port yet
        try
        {
            await node.StartAsync(ct);
            Log(clock, "first run ready");
            using (var admin = node.CreateAdminClient())
            {
                await Provision(admin, partner.HookUrl, ct);

                // (a) originations: the handset sends, each answered 202 once journaled; the partner is down
                foreach (var (text, shuffle, segments) in Originations)
                {
                    var sent = await admin.SendExpecting(HttpMethod.Post, $"/sim/handsets/{Mobile}/messages",
                        JsonSerializer.Serialize(new { type = "sms", to = new[] { Peer }, text, shuffle }), HttpStatusCode.Accepted, ct);
                    Assert.Equal(segments, sent.GetProperty("segments").GetInt32());
                }

                // (b) terminations: the handset is unreachable
                await admin.SendExpecting(HttpMethod.Put, $"/sim/handsets/{Mobile}/reachable", """{"reachable": false}""", HttpStatusCode.OK, ct);
                var terminationIds = new List<string>();
                foreach (var (text, _) in Terminations)
                {
                    var accepted = await admin.SendExpecting(HttpMethod.Post, "/v1/messages",
                        JsonSerializer.Serialize(new { type = "sms", from = Peer, to = new[] { Did }, owner = Did, text }),
                        HttpStatusCode.Accepted, ct, bearer: ClientSecret);
                    Assert.Equal("accepted", accepted.GetProperty("status").GetString());
                    terminationIds.Add(accepted.GetProperty("id").GetString()!);
                }

                // both lanes are in store-and-forward: each head was tried, failed temporarily, and waits
                var queue = await Eventually(c => ReadQueue(admin, c),
                    q => q.Mo.Count == Originations.Length && q.Mo[0].Attempts >= 1
                         && q.Mt.Count == Terminations.Length && q.Mt[0].Attempts >= 1,
                    "both heads to have failed once", StepTimeout, ct);
                Assert.All(queue.Mo.Concat(queue.Mt), item => Assert.Equal("queued", item.Status));
                Assert.Equal(terminationIds, queue.Mt.Select(i => i.Id));
                var originationIds = queue.Mo.Select(i => i.Id).ToList();
                Assert.Empty(partner.Posts);
                Log(clock, $"store-and-forward: mo {Describe(queue.Mo)}; mt {Describe(queue.Mt)}");

                node.Kill();
                Log(clock, "killed (SIGKILL)");

                // the same node again: same data folder, ports and settings; the handset's simulator state is
                // gone with the process, so it is reachable again (the handset came back)
                await node.StartAsync(ct);
                Log(clock, "second run ready");
                await partner.StartAsync(ct);
                Log(clock, "partner up");

                using var again = node.CreateAdminClient();
                var posts = await Eventually(_ => Task.FromResult(partner.Posts),
                    p => p.Select(x => x.Id).Distinct().Count() >= Originations.Length,
                    "every origination to reach the partner", StepTimeout, ct, p => string.Join(" | ", p.Select(x => x.Text)));
                Log(clock, $"partner received {posts.Count} posts");
                var inbox = await Eventually(c => ReadInbox(again, c), i => i.Count >= Terminations.Length,
                    "every termination to reach the handset", StepTimeout, ct, i => string.Join(" | ", i.Select(x => x.Text)));
                Log(clock, $"handset received {inbox.Count} messages");

                // originations: at least once, the ids journaled before the crash, in the original order
                AssertAtLeastOnceInOrder(originationIds, posts.Select(p => p.Id).ToList(), "origination ids at the partner");
                AssertAtLeastOnceInOrder(Originations.Select(o => o.Text).ToList(), posts.Select(p => p.Text!).ToList(), "origination texts at the partner");
                foreach (var group in posts.GroupBy(p => p.Id))
                    Assert.Single(group.Select(p => p.Text).Distinct()); // a re-post carries the same id and text
                Assert.All(posts, post =>
                {
                    Assert.Equal("sms", post.Type);
                    Assert.Equal(Did, post.From);
                    Assert.Equal(Did, post.Owner);
                    Assert.Equal([Peer], post.To);
                    Assert.Equal($"Bearer {SecurityToken}", post.Authorization);
                    Assert.StartsWith("application/json", post.ContentType, StringComparison.Ordinal);
                });

                // terminations: on the handset, in order, as one message each
                AssertAtLeastOnceInOrder(Terminations.Select(t => t.Text).ToList(), inbox.Select(i => i.Text).ToList(), "terminations on the handset");
                Assert.All(inbox, message =>
                {
                    Assert.Equal(Peer, message.From);
                    Assert.Equal(Terminations.Single(t => t.Text == message.Text).Segments, message.Segments);
                });

                // and every outcome is journaled: nothing is left pending
                await Eventually(c => ReadQueue(again, c), q => q.Mt.Count == 0 && q.Mo.Count == 0,
                    "both queues to be empty", StepTimeout, ct, q => $"mo {Describe(q.Mo)}; mt {Describe(q.Mt)}");
                Log(clock, "queues empty");
            }
        }
        catch
        {
            output.WriteLine(node.Output);
            throw;
        }
    }

    [Fact]
    public async Task A_termination_should_be_delivered_after_kill_9_right_after_its_202()
    {
        using var budget = new CancellationTokenSource(Budget);
        var ct = budget.Token;
        var clock = Stopwatch.StartNew();
        using var folder = new TempDirectory("gateway-crash-recovery");
        using var node = new CrashRecoveryNode(folder.Path, FastRetries);
        await using var partner = new CrashRecoveryPartner(); // never started: this spec has no originations
        const string text = "mt: killed right after the 202";
        try
        {
            await node.StartAsync(ct);
            Log(clock, "first run ready");
            using (var admin = node.CreateAdminClient())
            {
                await Provision(admin, partner.HookUrl, ct);
                // The simulator's inbox dies with the process, so the handset is unreachable in the first run:
                // whatever the first run manages before the kill, the message can only be shown by the second.
                await admin.SendExpecting(HttpMethod.Put, $"/sim/handsets/{Mobile}/reachable", """{"reachable": false}""", HttpStatusCode.OK, ct);

                await admin.SendExpecting(HttpMethod.Post, "/v1/messages",
                    JsonSerializer.Serialize(new { type = "sms", from = Peer, to = new[] { Did }, owner = Did, text }),
                    HttpStatusCode.Accepted, ct, bearer: ClientSecret);
                node.Kill(); // no waiting: the 202 promised the message is journaled
                Log(clock, "killed (SIGKILL) right after the 202");
            }

            await node.StartAsync(ct);
            Log(clock, "second run ready");
            using var again = node.CreateAdminClient();
            var inbox = await Eventually(c => ReadInbox(again, c), i => i.Count >= 1,
                "the termination to reach the handset", StepTimeout, ct, i => string.Join(" | ", i.Select(x => x.Text)));
            Log(clock, $"handset received {inbox.Count} message(s)");
            Assert.All(inbox, message => Assert.Equal(text, message.Text)); // at least once
            await Eventually(c => ReadQueue(again, c), q => q.Mt.Count == 0 && q.Mo.Count == 0,
                "the queue to be empty", StepTimeout, ct, q => $"mo {Describe(q.Mo)}; mt {Describe(q.Mt)}");
            Log(clock, "queue empty");
        }
        catch
        {
            output.WriteLine(node.Output);
            throw;
        }
    }

    private static async Task Provision(HttpClient admin, string partnerUrl, CancellationToken ct)
    {
        await admin.SendExpecting(HttpMethod.Put, "/admin/partners/p1",
            JsonSerializer.Serialize(new { primaryUrl = partnerUrl, secondaryUrl = (string?)null, clientSecret = ClientSecret, securityToken = SecurityToken }),
            HttpStatusCode.OK, ct);
        await admin.SendExpecting(HttpMethod.Put, "/admin/subscribers/s1",
            JsonSerializer.Serialize(new { mobile = Mobile, did = Did, domain = "acme.example", partnerId = "p1", groupId = (string?)null }),
            HttpStatusCode.OK, ct);
    }

    /// <summary>
    /// At least once and in order: exactly the expected items arrive, each at least once, and the
    /// sequence never goes back to an earlier item than one already seen (a repeat of the latest one is
    /// allowed: a re-delivery after a crash).
    /// </summary>
    private static void AssertAtLeastOnceInOrder(IReadOnlyList<string> expected, IReadOnlyList<string> received, string what)
    {
        var seen = string.Join(" | ", received);
        var order = expected.ToList();
        var positions = received.Select(r => order.IndexOf(r)).ToList();
        Assert.False(positions.Contains(-1), $"{what}: something unexpected arrived: {seen}");
        for (var i = 1; i < positions.Count; i++)
            Assert.True(positions[i] >= positions[i - 1], $"{what}: out of order: {seen}");
        Assert.True(expected.SequenceEqual(received.Distinct()), $"{what}: expected {string.Join(" | ", expected)}, got {seen}");
    }

    private sealed record QueueItem(string Id, string Status, int Attempts);

    private sealed record Queue(IReadOnlyList<QueueItem> Mt, IReadOnlyList<QueueItem> Mo);

    private sealed record InboxItem(string From, string Text, int? Segments);

    private static async Task<Queue> ReadQueue(HttpClient admin, CancellationToken ct)
    {
        var body = await admin.SendExpecting(HttpMethod.Get, "/admin/subscribers/s1/queue", null, HttpStatusCode.OK, ct);
        static IReadOnlyList<QueueItem> Items(JsonElement lane) =>
            [.. lane.EnumerateArray().Select(i => new QueueItem(i.GetProperty("id").GetString()!, i.GetProperty("status").GetString()!, i.GetProperty("attempts").GetInt32()))];
        return new Queue(Items(body.GetProperty("mt")), Items(body.GetProperty("mo")));
    }

    private static async Task<IReadOnlyList<InboxItem>> ReadInbox(HttpClient admin, CancellationToken ct)
    {
        var body = await admin.SendExpecting(HttpMethod.Get, $"/sim/handsets/{Mobile}/messages", null, HttpStatusCode.OK, ct);
        return [.. body.EnumerateArray().Select(m => new InboxItem(
            m.GetProperty("from").GetString()!,
            m.GetProperty("text").GetString()!,
            m.GetProperty("segments").ValueKind == JsonValueKind.Number ? m.GetProperty("segments").GetInt32() : null))];
    }

    private static string Describe(IReadOnlyList<QueueItem> lane) =>
        "[" + string.Join(", ", lane.Select(i => $"{i.Status}/{i.Attempts}")) + "]";

    private void Log(Stopwatch clock, string phase) => output.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.00} s  {phase}");
}
