using System.Collections.Concurrent;
using System.Net;
using static Gateway.Host.Tests.Api.AdminRequests;
using static Gateway.Host.Tests.Messaging.MessagingGateway;

namespace Gateway.Host.Tests.Messaging;

/// <summary>
/// Overload (issue 5): many more concurrent senders than the node takes at once, for a bounded time.
/// The excess is answered 503 (with Retry-After) at once instead of queueing, the managed heap stays
/// bounded, and every message answered 202 reaches its handset, once.
/// </summary>
public sealed class OverloadSpecs(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Senders = 48;
    private const int Subscribers = 8;
    private static readonly TimeSpan LoadTime = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Past_its_capacity_the_node_should_answer_503_keep_memory_bounded_and_deliver_everything_it_accepted()
    {
        using var config = new Gateway.Testing.TempDirectory("overload");
        var hocon = Path.Combine(config.Path, "overload.hocon");
        await File.WriteAllTextAsync(hocon, "gateway.partner-api.max-in-flight = 8");
        await using var gateway = await StartAsync(new Dictionary<string, string>
        {
            ["GATEWAY_CONFIG_FILE"] = hocon,
            ["GATEWAY_EGRESS_RATE"] = "1000",
        });
        await gateway.ProvisionPartnerAsync("p1", "secret-1");
        var subscribers = new List<(string Mobile, string Did)>();
        for (var i = 0; i < Subscribers; i++)
        {
            var (mobile, did) = (gateway.NewNumber(), gateway.NewNumber());
            await gateway.ProvisionSubscriberAsync($"s{i}", mobile, did, "p1");
            subscribers.Add((mobile, did));
        }
        var client = gateway.PartnerClient("secret-1");
        GC.Collect();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);

        var accepted = new ConcurrentDictionary<string, ConcurrentQueue<string>>();
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var retryAfterMissing = 0;
        var end = DateTime.UtcNow + LoadTime;
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(async sender =>
        {
            for (var n = 0; DateTime.UtcNow < end; n++)
            {
                var (mobile, did) = subscribers[(sender + n) % Subscribers];
                var text = $"{sender}-{n}";
                var response = await client.PostAsync("/v1/messages", Json(Sms("+12145555273", did, text)));
                statuses.AddOrUpdate(response.StatusCode, 1, (_, c) => c + 1);
                if (response.StatusCode == HttpStatusCode.Accepted)
                    accepted.GetOrAdd(mobile, _ => new ConcurrentQueue<string>()).Enqueue(text);
                else if (response.Headers.RetryAfter is null)
                    Interlocked.Increment(ref retryAfterMissing);
            }
        }));
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);

        var described = string.Join(", ", statuses.Select(s => $"{(int)s.Key}×{s.Value}"));
        output.WriteLine($"answers: {described}; managed heap growth: {(heapAfter - heapBefore) / 1024} KiB");
        Assert.True(statuses.Keys.All(s => s is HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable), described);
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.ServiceUnavailable) > 0, described);
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.Accepted) > 0, described);
        Assert.Equal(0, retryAfterMissing);
        // Bounded: the heap does not grow with the load (generous for a test host; nothing is queued in memory).
        Assert.InRange(heapAfter - heapBefore, long.MinValue, 256L * 1024 * 1024);

        foreach (var (mobile, _) in subscribers)
        {
            var expected = accepted.TryGetValue(mobile, out var texts) ? texts.ToHashSet() : [];
            var inbox = await EventuallyAsync(() => gateway.InboxAsync(mobile), messages => messages.Count >= expected.Count,
                $"{expected.Count} messages on {mobile}", seconds: 60);
            var received = inbox.Select(m => m.GetProperty("text").GetString()!).ToList();
            Assert.Equal(received.Count, received.Distinct().Count());
            Assert.True(expected.SetEquals(received), $"{mobile}: {expected.Count} accepted, {received.Count} received");
        }
    }

    [Fact]
    public async Task A_journal_slower_than_the_accept_deadline_should_get_503s_and_none_of_them_should_be_stored()
    {
        // A deadline no write meets reliably: each request is refused unwritten (deadline passed before
        // the entity got to it), withdrawn (written too late), or, now and then, accepted in time.
        using var config = new Gateway.Testing.TempDirectory("deadline");
        var hocon = Path.Combine(config.Path, "deadline.hocon");
        await File.WriteAllTextAsync(hocon, "gateway.delivery.accept-timeout = 1ms");
        await using var gateway = await StartAsync(new Dictionary<string, string>
        {
            ["GATEWAY_CONFIG_FILE"] = hocon,
            ["GATEWAY_EGRESS_RATE"] = "1000",
        });
        await gateway.ProvisionPartnerAsync("p1", "secret-1");
        var (mobile, did) = (gateway.NewNumber(), gateway.NewNumber());
        await gateway.ProvisionSubscriberAsync("s1", mobile, did, "p1");
        var client = gateway.PartnerClient("secret-1");

        var accepted = new ConcurrentQueue<string>();
        var refused = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async sender =>
        {
            for (var n = 0; n < 25; n++)
            {
                var text = $"{sender}-{n}";
                var response = await client.PostAsync("/v1/messages", Json(Sms("+12145555273", did, text)));
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    accepted.Enqueue(text);
                    continue;
                }
                await response.AssertError(HttpStatusCode.ServiceUnavailable, "service_unavailable");
                Assert.NotNull(response.Headers.RetryAfter);
                Interlocked.Increment(ref refused);
            }
        }));
        output.WriteLine($"202×{accepted.Count}, 503×{refused}");
        Assert.True(refused > 0);

        // Everything answered 202 arrives; then, after a quiet second, still nothing else has.
        var inbox = await EventuallyAsync(() => gateway.InboxAsync(mobile), messages => messages.Count >= accepted.Count,
            $"{accepted.Count} messages on {mobile}", seconds: 30);
        await Task.Delay(TimeSpan.FromSeconds(1));
        inbox = await gateway.InboxAsync(mobile);
        Assert.Equal(accepted.Order(), inbox.Select(m => m.GetProperty("text").GetString()!).Order());
    }
}
