using System.Globalization;
using System.Net;
using System.Text.Json;
using Gateway.Domain.Errors;
using Gateway.Host.Tests.Api;
using static Gateway.Host.Tests.Messaging.MessagingGateway;

namespace Gateway.Host.Tests.Messaging;

/// <summary>
/// Originations end to end (CONTRACT §4, §5): a simulated handset sends through
/// <c>POST /sim/handsets/{mobile}/messages</c>, and the gateway's webhook client POSTs the reassembled
/// message over loopback to a fake partner on a real Kestrel server. Each spec runs its own host (data
/// folder, one-node cluster) and its own partner.
/// </summary>
public sealed class OriginationSpecs
{
    private const string SecurityToken = "partner-security-token-7";
    private const string SubscriberId = "s1";
    private const string Peer = "+12145555273";
    private const string TimestampPattern = @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$";

    /// <summary>The subscriber's SIM; its DID (what the partner sees) is another number.</summary>
    private const string Mobile = "+19465559040";
    private const string Did = "+19465559041";

    private static async Task<MessagingGateway> StartWithSubscriber(
        string primaryUrl, string? secondaryUrl = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var gateway = await StartAsync(settings);
        await gateway.ProvisionPartnerAsync("p1", "partner-client-secret", primaryUrl, secondaryUrl, SecurityToken);
        await gateway.ProvisionSubscriberAsync(SubscriberId, Mobile, Did, "p1");
        return gateway;
    }

    private static object Sms(string text, string to = Peer, bool shuffle = false) =>
        new { type = "sms", to = new[] { to }, text, media = Array.Empty<object>(), shuffle };

    /// <summary>
    /// Waits for <paramref name="count"/> calls on <paramref name="path"/> and for the subscriber's mo queue
    /// to empty, then a little longer, and asserts that no further call came.
    /// </summary>
    private static async Task<IReadOnlyList<PartnerCall>> CallsOnceDelivered(
        RecordingPartner partner, MessagingGateway gateway, string path, int count)
    {
        await EventuallyAsync(() => Task.FromResult(partner.CallsTo(path)), c => c.Count >= count, $"{count} call(s) to /{path}/");
        await EventuallyAsync(() => gateway.QueueAsync(SubscriberId, "mo"), q => q.Count == 0, "the mo queue empty");
        await Task.Delay(300);
        var calls = partner.CallsTo(path);
        Assert.Equal(count, calls.Count);
        return calls;
    }

    [Fact]
    public async Task An_origination_should_reach_the_partner_as_the_contract_json_with_its_security_token()
    {
        await using var partner = await RecordingPartner.StartAsync();
        await using var gateway = await StartWithSubscriber(partner.Url("hook", "200"));
        const string text = "Hello <b>&</b> \"partner\"";
        var before = DateTimeOffset.UtcNow;

        await gateway.SendFromHandsetOkAsync(Mobile, Sms(text));

        var call = Assert.Single(await CallsOnceDelivered(partner, gateway, "hook", 1));
        Assert.Equal("POST", call.Method);
        Assert.Equal($"Bearer {SecurityToken}", call.Header("Authorization"));
        Assert.Equal("application/json; charset=utf-8", call.Header("Content-Type"));
        Assert.Equal(call.Body.Length.ToString(CultureInfo.InvariantCulture), call.Header("Content-Length"));
        var body = call.Json;
        Assert.Equal(["id", "type", "from", "to", "owner", "text", "media", "timestamp"], body.EnumerateObject().Select(p => p.Name));
        Assert.Matches("^msg_[0-9a-f]{32}$", body.GetProperty("id").GetString());
        Assert.Equal("sms", body.GetProperty("type").GetString());
        Assert.Equal(Did, body.GetProperty("from").GetString());
        Assert.Equal(Did, body.GetProperty("owner").GetString());
        Assert.Equal([Peer], body.GetProperty("to").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(text, body.GetProperty("text").GetString());
        Assert.Equal("[]", body.GetProperty("media").GetRawText());
        var timestamp = body.GetProperty("timestamp").GetString()!;
        Assert.Matches(TimestampPattern, timestamp);
        Assert.InRange(DateTimeOffset.Parse(timestamp, CultureInfo.InvariantCulture), before.AddSeconds(-1), DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Long_gsm_and_emoji_texts_sent_as_shuffled_segments_should_each_reach_the_partner_once_reassembled()
    {
        await using var partner = await RecordingPartner.StartAsync();
        await using var gateway = await StartWithSubscriber(partner.Url("hook", "200"));
        var gsm = string.Concat(Enumerable.Repeat("GSM {text} [with] ~escapes~ €5 ^|\\ and more. ", 10)); // ~470 septets: 4 segments
        var emoji = "Emoji " + string.Concat(Enumerable.Repeat("😀👍🏽 ", 40));                          // ~206 UTF-16 units: 4 segments
        var toShortCode = string.Concat(Enumerable.Repeat("STOP ", 40));                                  // 200 characters: 2 segments

        await gateway.SendFromHandsetOkAsync(Mobile, Sms(gsm, shuffle: true));
        await gateway.SendFromHandsetOkAsync(Mobile, Sms(emoji, shuffle: true));
        await gateway.SendFromHandsetOkAsync(Mobile, Sms(toShortCode, to: "12345", shuffle: true));

        var calls = await CallsOnceDelivered(partner, gateway, "hook", 3);
        var bodies = calls.Select(c => c.Json).ToList();
        Assert.Equal([gsm, emoji, toShortCode], bodies.Select(b => b.GetProperty("text").GetString()));
        Assert.Equal([Peer, Peer, "12345"], bodies.Select(b => Assert.Single(b.GetProperty("to").EnumerateArray()).GetString()));
        Assert.All(bodies, b => Assert.Equal(Did, b.GetProperty("from").GetString()));
        Assert.All(bodies, b => Assert.Equal(Did, b.GetProperty("owner").GetString()));
        Assert.Equal(3, bodies.Select(b => b.GetProperty("id").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task A_group_mms_from_the_handset_should_reach_the_partner_as_one_event_listing_every_participant()
    {
        await using var partner = await RecordingPartner.StartAsync();
        await using var gateway = await StartWithSubscriber(partner.Url("hook", "200"));
        var image = new byte[2048];
        new Random(7).NextBytes(image);
        var png = Convert.ToBase64String(image);
        string[] participants = [Peer, "+12145555274", "+12145555275"];

        await gateway.SendFromHandsetOkAsync(Mobile, new
        {
            type = "mms",
            to = participants,
            text = "Party at 8 🎉",
            media = new[] { new { contentType = "image/png", fileName = "map.png", content = png } },
            shuffle = false,
        });

        var call = Assert.Single(await CallsOnceDelivered(partner, gateway, "hook", 1));
        var body = call.Json;
        Assert.Equal("mms", body.GetProperty("type").GetString());
        Assert.Equal(Did, body.GetProperty("from").GetString());
        Assert.Equal(Did, body.GetProperty("owner").GetString());
        Assert.Equal(participants, body.GetProperty("to").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("Party at 8 🎉", body.GetProperty("text").GetString());
        var item = Assert.Single(body.GetProperty("media").EnumerateArray());
        Assert.Equal(["contentType", "fileName", "content"], item.EnumerateObject().Select(p => p.Name));
        Assert.Equal("image/png", item.GetProperty("contentType").GetString());
        Assert.Equal("map.png", item.GetProperty("fileName").GetString());
        Assert.Equal(png, item.GetProperty("content").GetString());
        Assert.Equal($"Bearer {SecurityToken}", call.Header("Authorization"));
    }

    [Fact]
    public async Task A_partner_answering_503_should_get_the_message_again_after_the_retry_interval_and_newer_ones_after_it()
    {
        await using var partner = await RecordingPartner.StartAsync();
        await using var gateway = await StartWithSubscriber(partner.Url("hook", "503x1"),
            settings: new Dictionary<string, string> { ["GATEWAY_RETRY_INTERVAL"] = "2s" });

        await gateway.SendFromHandsetOkAsync(Mobile, Sms("first"));
        await EventuallyAsync(() => Task.FromResult(partner.CallsTo("hook")), c => c.Count >= 1, "the first attempt");
        await gateway.SendFromHandsetOkAsync(Mobile, Sms("second"));
        var queue = await EventuallyAsync(() => gateway.QueueAsync(SubscriberId, "mo"),
            q => q.Count == 2 && q[0].GetProperty("attempts").GetInt32() == 1, "the first queued after one attempt, the second behind it");
        Assert.Equal(["queued", "queued"], queue.Select(i => i.GetProperty("status").GetString()));
        Assert.Equal(0, queue[1].GetProperty("attempts").GetInt32());

        var calls = await CallsOnceDelivered(partner, gateway, "hook", 3);
        var bodies = calls.Select(c => c.Json).ToList();
        Assert.Equal(["first", "first", "second"], bodies.Select(b => b.GetProperty("text").GetString()));
        Assert.Equal(queue[0].GetProperty("id").GetString(), bodies[0].GetProperty("id").GetString());
        Assert.Equal(bodies[0].GetProperty("id").GetString(), bodies[1].GetProperty("id").GetString()); // the same message again
        Assert.Equal(queue[1].GetProperty("id").GetString(), bodies[2].GetProperty("id").GetString());
        Assert.True(calls[1].At - calls[0].At >= TimeSpan.FromSeconds(1.8), $"retried after {calls[1].At - calls[0].At}, not after the 2 s retry interval");
    }

    [Fact]
    public async Task A_primary_answering_503_should_be_followed_at_once_by_the_secondary_url_in_the_same_attempt()
    {
        await using var partner = await RecordingPartner.StartAsync();
        await using var gateway = await StartWithSubscriber(partner.Url("primary", "503"), partner.Url("secondary", "200"),
            new Dictionary<string, string> { ["GATEWAY_RETRY_INTERVAL"] = "60s" }); // a retry would not come within the test

        await gateway.SendFromHandsetOkAsync(Mobile, Sms("via the secondary"));

        var secondary = Assert.Single(await CallsOnceDelivered(partner, gateway, "secondary", 1));
        var primary = Assert.Single(partner.CallsTo("primary"));
        Assert.True(primary.At <= secondary.At);
        Assert.Equal(primary.Body, secondary.Body);
        Assert.Equal($"Bearer {SecurityToken}", secondary.Header("Authorization"));
        Assert.Equal("via the secondary", secondary.Json.GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_partner_answering_400_should_fail_the_message_without_a_retry_or_the_secondary_url()
    {
        await using var partner = await RecordingPartner.StartAsync();
        await using var gateway = await StartWithSubscriber(partner.Url("primary", "400"), partner.Url("secondary", "200"));

        await gateway.SendFromHandsetOkAsync(Mobile, Sms("refused by the partner"));

        await CallsOnceDelivered(partner, gateway, "primary", 1);
        await Task.Delay(1500); // longer than the 1 s retry interval
        Assert.Single(partner.CallsTo("primary"));
        Assert.Empty(partner.CallsTo("secondary"));
        await gateway.AssertQueueEmptyAsync(SubscriberId);

        // the failed message does not hold back the next one
        await gateway.SendFromHandsetOkAsync(Mobile, Sms("the next one"));
        var calls = await CallsOnceDelivered(partner, gateway, "primary", 2);
        Assert.Equal("the next one", calls[1].Json.GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_handset_that_is_no_subscribers_mobile_should_be_answered_404()
    {
        await using var partner = await RecordingPartner.StartAsync();
        await using var gateway = await StartWithSubscriber(partner.Url("hook", "200"));

        var unknown = await gateway.SendFromHandsetAsync("+19465559999", Sms("hello"));
        var did = await gateway.SendFromHandsetAsync(Did, Sms("hello")); // the DID is not a SIM

        await unknown.AssertError(HttpStatusCode.NotFound, ErrorCodes.NotFound);
        await did.AssertError(HttpStatusCode.NotFound, ErrorCodes.NotFound);
        await gateway.AssertQueueEmptyAsync(SubscriberId);
        await Task.Delay(200);
        Assert.Empty(partner.Calls);
    }

    public static TheoryData<string, string> MessagesNoHandsetSends => new()
    {
        { "an sms without text", $$"""{"type": "sms", "to": ["{{Peer}}"]}""" },
        { "an sms to two", $$"""{"type": "sms", "to": ["{{Peer}}", "+13125550000"], "text": "hi"}""" },
        { "an sms with media", $$"""{"type": "sms", "to": ["{{Peer}}"], "text": "hi", "media": [{"contentType": "image/png", "content": "iVBORw=="}]}""" },
        { "an mms with neither text nor media", $$"""{"type": "mms", "to": ["{{Peer}}"]}""" },
    };

    [Theory]
    [MemberData(nameof(MessagesNoHandsetSends))]
    public async Task A_message_no_handset_can_send_should_be_answered_400_message_refused_and_nothing_reach_the_partner(string rule, string json)
    {
        await using var partner = await RecordingPartner.StartAsync();
        await using var gateway = await StartWithSubscriber(partner.Url("hook", "200"));

        var response = await gateway.Admin.PostAsync($"/sim/handsets/{Mobile}/messages",
            new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        var message = await response.AssertError(HttpStatusCode.BadRequest, ErrorCodes.MessageRefused);
        Assert.False(string.IsNullOrWhiteSpace(message), rule);
        await gateway.AssertQueueEmptyAsync(SubscriberId);
        await Task.Delay(200);
        Assert.Empty(partner.Calls);
    }
}
