using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.Domain.Errors;
using Gateway.Host.Tests.Api;
using static Gateway.Host.Tests.Messaging.MessagingGateway;

namespace Gateway.Host.Tests.Messaging;

/// <summary><c>GET /admin/subscribers/{subrId}/queue</c> (CONTRACT §2) over HTTP; each spec runs its own host.</summary>
public sealed class QueueApiSpecs
{
    private const string Secret = "partner-secret";
    private const string Peer = "+12145555273";
    private const string Mobile = "+19465559040";
    private const string Did = "+19465559041";
    private const string TimestampPattern = @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$";

    private static async Task<MessagingGateway> StartWithSubscriber(string primaryUrl, IReadOnlyDictionary<string, string>? settings = null)
    {
        var gateway = await StartAsync(settings);
        await gateway.ProvisionPartnerAsync("p1", Secret, primaryUrl);
        await gateway.ProvisionSubscriberAsync("s1", Mobile, Did, "p1");
        return gateway;
    }

    [Fact]
    public async Task The_queue_of_an_unknown_subscriber_should_be_answered_404()
    {
        await using var gateway = await StartWithSubscriber("https://partner.example/hook");

        foreach (var id in new[] { "s2", "no-such-subscriber", "bad%20id", Did })
        {
            var response = await gateway.Admin.GetAsync($"/admin/subscribers/{id}/queue");
            await response.AssertError(HttpStatusCode.NotFound, ErrorCodes.NotFound);
        }

        await gateway.Admin.PutOk("/admin/subscribers/s2", AdminRequests.SubscriberBody("+19465559050", "+19465559050", "p1"));
        await gateway.Admin.DeleteAsync("/admin/subscribers/s2");
        await (await gateway.Admin.GetAsync("/admin/subscribers/s2/queue")).AssertError(HttpStatusCode.NotFound, ErrorCodes.NotFound);
    }

    [Fact]
    public async Task The_queue_should_be_answered_401_without_the_admin_token()
    {
        await using var gateway = await StartWithSubscriber("https://partner.example/hook");

        foreach (var authorization in new AuthenticationHeaderValue?[] { null, new("Bearer", "wrong"), new("Bearer", Secret) })
        {
            var client = gateway.App.CreateClient();
            client.DefaultRequestHeaders.Authorization = authorization;

            var response = await client.GetAsync("/admin/subscribers/s1/queue");

            await response.AssertError(HttpStatusCode.Unauthorized, ErrorCodes.Unauthorized);
            Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString());
        }
        // nor does an unknown subscriber's queue tell anything without the token
        var anonymous = await gateway.App.CreateClient().GetAsync("/admin/subscribers/s2/queue");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task Pending_messages_should_be_listed_per_direction_as_id_status_attempts_next_attempt_and_expiry()
    {
        await using var gateway = await StartWithSubscriber(RecordingPartner.UnusedUrl("hook"),
            new Dictionary<string, string> { ["GATEWAY_RETRY_INTERVAL"] = "30s", ["GATEWAY_MESSAGE_TTL"] = "1h" });
        Assert.Equal("""{"mt":[],"mo":[]}""", (await gateway.QueueAsync("s1")).GetRawText());
        await gateway.SetReachableAsync(Mobile, false);
        var partner = gateway.PartnerClient(Secret);
        var before = DateTimeOffset.UtcNow;

        var first = await AcceptAsync(partner, Sms(Peer, Did, "first"));
        await gateway.SendFromHandsetOkAsync(Mobile, new { type = "sms", to = new[] { Peer }, text = "to a partner that is down" });
        var queue = await EventuallyAsync(() => gateway.QueueAsync("s1"),
            q => q.GetProperty("mt").EnumerateArray().Any(i => i.GetProperty("attempts").GetInt32() == 1) &&
                 q.GetProperty("mo").EnumerateArray().Any(i => i.GetProperty("attempts").GetInt32() == 1),
            "one failed attempt in each direction");
        var second = await AcceptAsync(partner, Sms(Peer, Did, "second"));
        queue = await gateway.QueueAsync("s1");
        var after = DateTimeOffset.UtcNow;

        Assert.Equal(["mt", "mo"], queue.EnumerateObject().Select(p => p.Name));
        var mt = queue.GetProperty("mt").EnumerateArray().ToList();
        var mo = Assert.Single(queue.GetProperty("mo").EnumerateArray());
        Assert.Equal([first, second], mt.Select(i => i.GetProperty("id").GetString()));
        foreach (var item in mt.Append(mo))
        {
            Assert.Equal(["id", "status", "attempts", "nextAttemptAt", "expiresAt"], item.EnumerateObject().Select(p => p.Name));
            Assert.Matches("^msg_[0-9a-f]{32}$", item.GetProperty("id").GetString());
            Assert.Equal("queued", item.GetProperty("status").GetString());
            Assert.InRange(Time(item, "expiresAt"), before.AddHours(1).AddSeconds(-1), after.AddHours(1).AddSeconds(1)); // GATEWAY_MESSAGE_TTL
        }
        foreach (var tried in new[] { mt[0], mo })
        {
            Assert.Equal(1, tried.GetProperty("attempts").GetInt32());
            Assert.InRange(Time(tried, "nextAttemptAt"), before.AddSeconds(29), after.AddSeconds(31)); // GATEWAY_RETRY_INTERVAL
        }
        // the second has not been tried: it waits behind the first
        Assert.Equal(0, mt[1].GetProperty("attempts").GetInt32());
        var next = mt[1].GetProperty("nextAttemptAt");
        Assert.True(next.ValueKind == JsonValueKind.Null || (next.ValueKind == JsonValueKind.String && System.Text.RegularExpressions.Regex.IsMatch(next.GetString()!, TimestampPattern)),
            $"nextAttemptAt of a waiting message: {next.GetRawText()}");
    }

    private static DateTimeOffset Time(JsonElement item, string property)
    {
        var text = item.GetProperty(property).GetString()!;
        Assert.Matches(TimestampPattern, text);
        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
    }
}
