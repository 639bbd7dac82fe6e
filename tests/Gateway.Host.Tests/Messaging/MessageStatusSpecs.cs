using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Domain.Errors;
using static Gateway.Host.Tests.Messaging.MessagingGateway;

namespace Gateway.Host.Tests.Messaging;

/// <summary>
/// <c>GET /v1/messages/{id}</c> and the <c>Idempotency-Key</c> header of <c>POST /v1/messages</c>
/// (CONTRACT §3) over HTTP, on a host with the embedded network and a fake partner on loopback.
/// </summary>
public sealed class MessageStatusSpecs
{
    private const string Secret = "partner-secret";
    private const string OtherSecret = "other-partner-secret";
    private const string Peer = "+12145555273";
    private const string Mobile = "+19465559040";
    private const string Did = "+19465559041";
    private const string TimestampPattern = @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$";

    private static async Task<MessagingGateway> StartWithSubscriber(string primaryUrl = "https://partner.example/hook")
    {
        var gateway = await StartAsync();
        await gateway.ProvisionPartnerAsync("p1", Secret, primaryUrl);
        await gateway.ProvisionPartnerAsync("p2", OtherSecret);
        await gateway.ProvisionSubscriberAsync("s1", Mobile, Did, "p1");
        await gateway.ProvisionSubscriberAsync("s2", "+19465559050", "+19465559051", "p2");
        return gateway;
    }

    [Fact]
    public async Task A_terminations_status_should_show_store_and_forward_then_delivery()
    {
        await using var gateway = await StartWithSubscriber();
        var partner = gateway.PartnerClient(Secret);
        await gateway.SetReachableAsync(Mobile, false);
        var text = string.Concat(Enumerable.Repeat("0123456789", 16)) + "!"; // 161 GSM characters: two segments

        var id = await AcceptAsync(partner, Sms(Peer, Did, text));
        var first = await StatusAsync(partner, id); // readable at once, before any attempt or after the first
        Assert.Equal(id, first.GetProperty("id").GetString());
        Assert.Equal(("mt", "sms", 2), (first.GetProperty("direction").GetString(), first.GetProperty("type").GetString(), first.GetProperty("segments").GetInt32()));
        Assert.Contains(first.GetProperty("status").GetString(), new[] { "accepted", "queued" });

        var queued = await EventuallyAsync(() => StatusAsync(partner, id), s => s.GetProperty("attempts").GetInt32() >= 2, "two attempts");
        Assert.Equal("queued", queued.GetProperty("status").GetString());
        Assert.Equal("handset unreachable", queued.GetProperty("lastError").GetString());
        Assert.Matches(TimestampPattern, queued.GetProperty("createdAt").GetString()!);
        Assert.True(string.CompareOrdinal(queued.GetProperty("updatedAt").GetString(), queued.GetProperty("createdAt").GetString()) > 0);

        // A message behind the stored one is queued too, without an attempt of its own.
        var behind = await AcceptAsync(partner, Sms(Peer, Did, "behind"));
        var waiting = await StatusAsync(partner, behind);
        Assert.Equal(("queued", 0, JsonValueKind.Null), (waiting.GetProperty("status").GetString(), waiting.GetProperty("attempts").GetInt32(),
            waiting.GetProperty("lastError").ValueKind));

        await gateway.SetReachableAsync(Mobile, true);
        var delivered = await EventuallyAsync(() => StatusAsync(partner, id), s => s.GetProperty("status").GetString() == "delivered", "delivered");
        Assert.Equal("handset unreachable", delivered.GetProperty("lastError").GetString()); // the last error stays visible
        await EventuallyAsync(() => StatusAsync(partner, behind), s => s.GetProperty("status").GetString() == "delivered", "the second delivered");
        Assert.Equal(1, (await StatusAsync(partner, behind)).GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task An_origination_should_be_readable_by_its_subscribers_partner_and_no_one_else()
    {
        await using var webhook = await RecordingPartner.StartAsync();
        await using var gateway = await StartWithSubscriber(webhook.Url("hook", "200"));
        var partner = gateway.PartnerClient(Secret);
        var other = gateway.PartnerClient(OtherSecret);

        await gateway.SendFromHandsetOkAsync(Mobile, new { type = "sms", to = new[] { Peer }, text = new string('x', 200), shuffle = true });
        var call = (await EventuallyAsync(() => Task.FromResult(webhook.CallsTo("hook")), c => c.Count == 1, "the webhook call"))[0];
        var id = call.Json.GetProperty("id").GetString()!;

        var status = await EventuallyAsync(() => StatusAsync(partner, id), s => s.GetProperty("status").GetString() == "delivered", "delivered");
        Assert.Equal(("mo", "sms", 2, 1), (status.GetProperty("direction").GetString(), status.GetProperty("type").GetString(),
            status.GetProperty("segments").GetInt32(), status.GetProperty("attempts").GetInt32()));

        // Another partner, an unknown id and a malformed one all look the same.
        foreach (var (client, probe) in new[] { (other, id), (partner, "msg_0123456789abcdef0123456789abcdef"), (partner, "nope"), (partner, id.ToUpperInvariant()) })
        {
            var response = await client.GetAsync($"/v1/messages/{probe}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal(ErrorCodes.MessageNotFound, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement
                .GetProperty("error").GetProperty("code").GetString());
        }
        using var anonymous = gateway.App.CreateClient();
        var unauthorized = await anonymous.GetAsync($"/v1/messages/{id}");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal("Bearer", unauthorized.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task A_repeated_idempotency_key_should_answer_the_first_id_and_deliver_once()
    {
        await using var gateway = await StartWithSubscriber();
        var partner = gateway.PartnerClient(Secret);
        var body = Sms(Peer, Did, "only once");

        var first = await PostAsync(partner, body, "key-1");
        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        var id = first.Body.GetProperty("id").GetString()!;
        // Repeats, one after the other and then all at once.
        for (var i = 0; i < 3; i++)
            Assert.Equal(id, (await PostAsync(partner, body, "key-1")).Body.GetProperty("id").GetString());
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostAsync(partner, body, "key-1")));
        Assert.All(concurrent, r => Assert.Equal((HttpStatusCode.Accepted, id), (r.Status, r.Body.GetProperty("id").GetString())));

        // The same key with another body is refused, and nothing is stored for it.
        var reused = await PostAsync(partner, Sms(Peer, Did, "something else"), "key-1");
        Assert.Equal((HttpStatusCode.UnprocessableEntity, ErrorCodes.IdempotencyKeyReused), (reused.Status, Code(reused.Body)));

        // Another partner's key of the same name is its own.
        var otherId = (await PostAsync(gateway.PartnerClient(OtherSecret), Sms(Peer, "+19465559051", "theirs"), "key-1")).Body.GetProperty("id").GetString();
        Assert.NotEqual(id, otherId);

        await EventuallyAsync(() => gateway.InboxAsync(Mobile), inbox => inbox.Count >= 1, "the message on the handset");
        await Task.Delay(500);
        Assert.Equal(["only once"], (await gateway.InboxAsync(Mobile)).Select(m => m.GetProperty("text").GetString()));
        await gateway.AssertQueueEmptyAsync("s1");
        Assert.Equal(1, (await StatusAsync(partner, id)).GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task An_idempotency_key_and_the_status_should_outlive_a_restart()
    {
        var gateway = await StartWithSubscriber();
        await gateway.SetReachableAsync(Mobile, false);
        var body = Sms(Peer, Did, "survives");
        var id = (await PostAsync(gateway.PartnerClient(Secret), body, "restart-key")).Body.GetProperty("id").GetString()!;
        await EventuallyAsync(() => StatusAsync(gateway.PartnerClient(Secret), id), s => s.GetProperty("attempts").GetInt32() >= 1, "one attempt");

        await using var restarted = await gateway.RestartAsync();
        var partner = restarted.PartnerClient(Secret);
        var again = await PostAsync(partner, body, "restart-key");
        Assert.Equal((HttpStatusCode.Accepted, id), (again.Status, again.Body.GetProperty("id").GetString()));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await PostAsync(partner, Sms(Peer, Did, "changed"), "restart-key")).Status);
        // The new simulator's handset is reachable: the message, retried after the restart, arrives once.
        var inbox = await EventuallyAsync(() => restarted.InboxAsync(Mobile), messages => messages.Count >= 1, "the message on the handset");
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // more than a retry interval: no second copy follows
        Assert.Equal("survives", Assert.Single(await restarted.InboxAsync(Mobile)).GetProperty("text").GetString());
        Assert.Empty(await restarted.QueueAsync("s1", "mt"));
        Assert.True((await StatusAsync(partner, id)).GetProperty("attempts").GetInt32() >= 1);
    }

    [Theory]
    [InlineData(256)]
    [InlineData(-1)]
    public async Task A_malformed_idempotency_key_should_be_refused_and_nothing_stored(int length)
    {
        await using var gateway = await StartWithSubscriber();
        var key = length > 0 ? new string('k', length) : "tab\there";

        var response = await PostAsync(gateway.PartnerClient(Secret), Sms(Peer, Did, "hi"), key);

        Assert.Equal((HttpStatusCode.BadRequest, ErrorCodes.InvalidIdempotencyKey), (response.Status, Code(response.Body)));
        await gateway.AssertQueueEmptyAsync("s1");
        Assert.Empty(await gateway.InboxAsync(Mobile));
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient partner, string json, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        var response = await partner.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }

    private static string? Code(JsonElement body) => body.GetProperty("error").GetProperty("code").GetString();
}
