using System.Text.Json;
using static Gateway.Host.Tests.Messaging.MessagingGateway;

namespace Gateway.Host.Tests.Messaging;

/// <summary>
/// Terminations end to end (CONTRACT §3, §5): a partner POSTs to <c>/v1/messages</c> over HTTP and the
/// embedded network's handset shows what it reassembled from the segments it received. Each spec runs its
/// own host (data folder, one-node cluster).
/// </summary>
public sealed class TerminationSpecs
{
    private const string Secret = "partner-secret";
    private const string Peer = "+12145555273";
    private const string SubscriberId = "s1";
    private const string TimestampPattern = @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$";

    /// <summary>The subscriber's SIM; its DID (what the partner addresses) is another number.</summary>
    private const string Mobile = "+19465559040";
    private const string Did = "+19465559041";

    private static async Task<MessagingGateway> StartWithSubscriber()
    {
        var gateway = await StartAsync();
        await gateway.ProvisionPartnerAsync("p1", Secret);
        await gateway.ProvisionSubscriberAsync(SubscriberId, Mobile, Did, "p1");
        return gateway;
    }

    private static Task<IReadOnlyList<JsonElement>> InboxOf(MessagingGateway gateway, int count) =>
        EventuallyAsync(() => gateway.InboxAsync(Mobile), inbox => inbox.Count >= count, $"{count} message(s) on the handset");

    [Fact]
    public async Task A_termination_should_reach_the_simulated_handset_as_segments()
    {
        await using var gateway = await StartWithSubscriber();
        var partner = gateway.PartnerClient(Secret);
        var single = new string('a', 159) + "@";                      // 160 GSM characters: one segment
        var longText = string.Concat(Enumerable.Repeat("0123456789", 16)) + "!"; // 161 GSM characters: two
        var before = DateTimeOffset.UtcNow;

        await AcceptAsync(partner, Sms(Peer, Did, single));
        await AcceptAsync(partner, Sms(Peer, Did, longText));

        var inbox = await InboxOf(gateway, 2);
        Assert.Equal(2, inbox.Count);
        Assert.Equal(["from", "to", "type", "text", "media", "segments", "encoding", "receivedAt"], inbox[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(single, inbox[0].GetProperty("text").GetString());
        Assert.Equal(1, inbox[0].GetProperty("segments").GetInt32());
        Assert.Equal(longText, inbox[1].GetProperty("text").GetString());
        Assert.Equal(2, inbox[1].GetProperty("segments").GetInt32());
        foreach (var message in inbox)
        {
            Assert.Equal("sms", message.GetProperty("type").GetString());
            Assert.Equal("gsm7", message.GetProperty("encoding").GetString());
            Assert.Equal(Peer, message.GetProperty("from").GetString());
            Assert.Equal([Did], message.GetProperty("to").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(JsonValueKind.Array, message.GetProperty("media").ValueKind);
            Assert.Equal(0, message.GetProperty("media").GetArrayLength());
            var receivedAt = message.GetProperty("receivedAt").GetString()!;
            Assert.Matches(TimestampPattern, receivedAt);
            Assert.InRange(DateTimeOffset.Parse(receivedAt, System.Globalization.CultureInfo.InvariantCulture),
                before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        }
        await EventuallyAsync(() => gateway.QueueAsync(SubscriberId, "mt"), q => q.Count == 0, "the mt queue empty after delivery");
        Assert.Empty(await gateway.InboxAsync(Did)); // the DID is not a handset: the SIM's mobile received it
    }

    [Fact]
    public async Task A_gsm_text_with_extension_characters_should_count_them_twice_when_segmenting()
    {
        await using var gateway = await StartWithSubscriber();
        var text = new string('a', 158) + "€";  // 159 characters, 160 septets: one segment
        var over = new string('a', 159) + "€";  // 160 characters, 161 septets: two segments

        await AcceptAsync(gateway.PartnerClient(Secret), Sms(Peer, Did, text));
        await AcceptAsync(gateway.PartnerClient(Secret), Sms(Peer, Did, over));

        var inbox = await InboxOf(gateway, 2);
        Assert.Equal([text, over], inbox.Select(m => m.GetProperty("text").GetString()));
        Assert.Equal([1, 2], inbox.Select(m => m.GetProperty("segments").GetInt32()));
        Assert.All(inbox, m => Assert.Equal("gsm7", m.GetProperty("encoding").GetString()));
    }

    [Fact]
    public async Task An_emoji_termination_should_reach_the_handset_as_ucs2_with_no_surrogate_pair_split()
    {
        await using var gateway = await StartWithSubscriber();
        var partner = gateway.PartnerClient(Secret);
        const string shortText = "Hello 😀";
        var longText = "Ünïcödé " + string.Concat(Enumerable.Repeat("😀", 40)); // 88 UTF-16 units: two segments

        await AcceptAsync(partner, Sms(Peer, Did, shortText));
        await AcceptAsync(partner, Sms(Peer, Did, longText));

        var inbox = await InboxOf(gateway, 2);
        Assert.Equal([shortText, longText], inbox.Select(m => m.GetProperty("text").GetString()));
        Assert.Equal([1, 2], inbox.Select(m => m.GetProperty("segments").GetInt32()));
        Assert.All(inbox, m => Assert.Equal("ucs2", m.GetProperty("encoding").GetString()));
    }

    [Fact]
    public async Task An_mms_should_reach_the_handset_whole_with_its_media_in_base64()
    {
        await using var gateway = await StartWithSubscriber();
        var image = new byte[3000];
        new Random(42).NextBytes(image);
        var png = Convert.ToBase64String(image);
        var note = Convert.ToBase64String("a note ✓"u8.ToArray());
        const string other = "+12145555274";
        var json = $$"""
            {"type": "mms", "from": "{{Peer}}", "to": ["{{Did}}", "{{other}}"], "owner": "{{Did}}", "text": "Look 😀",
             "media": [{"contentType": "image/png", "fileName": "photo.png", "content": "{{png}}"},
                       {"contentType": "text/plain; charset=utf-8", "fileName": null, "content": "{{note}}"}]}
            """;

        await AcceptAsync(gateway.PartnerClient(Secret), json);

        var message = Assert.Single(await InboxOf(gateway, 1));
        Assert.Equal("mms", message.GetProperty("type").GetString());
        Assert.Equal(Peer, message.GetProperty("from").GetString());
        Assert.Equal([Did, other], message.GetProperty("to").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("Look 😀", message.GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, message.GetProperty("segments").ValueKind);
        Assert.Equal(JsonValueKind.Null, message.GetProperty("encoding").ValueKind);
        var media = message.GetProperty("media").EnumerateArray().ToList();
        Assert.Equal(2, media.Count);
        Assert.Equal("image/png", media[0].GetProperty("contentType").GetString());
        Assert.Equal("photo.png", media[0].GetProperty("fileName").GetString());
        Assert.Equal(png, media[0].GetProperty("content").GetString());
        Assert.Equal("text/plain; charset=utf-8", media[1].GetProperty("contentType").GetString());
        Assert.Equal(JsonValueKind.Null, media[1].GetProperty("fileName").ValueKind);
        Assert.Equal(note, media[1].GetProperty("content").GetString());
    }

    [Fact]
    public async Task A_termination_to_an_unreachable_handset_should_be_queued_and_arrive_in_order_once_it_is_reachable()
    {
        await using var gateway = await StartWithSubscriber();
        var partner = gateway.PartnerClient(Secret);
        await gateway.SetReachableAsync(Mobile, false);

        var first = await AcceptAsync(partner, Sms(Peer, Did, "first"));
        var queued = await EventuallyAsync(() => gateway.QueueAsync(SubscriberId, "mt"),
            q => q.Count == 1 && q[0].GetProperty("attempts").GetInt32() >= 1, "the first message tried and queued");
        Assert.Equal(first, queued[0].GetProperty("id").GetString());
        Assert.Equal("queued", queued[0].GetProperty("status").GetString());
        Assert.Matches(TimestampPattern, queued[0].GetProperty("nextAttemptAt").GetString());

        var second = await AcceptAsync(partner, Sms(Peer, Did, "second"));
        var both = await gateway.QueueAsync(SubscriberId, "mt");
        Assert.Equal([first, second], both.Select(i => i.GetProperty("id").GetString()));
        Assert.Equal("queued", both[1].GetProperty("status").GetString()); // behind an older message
        await EventuallyAsync(() => gateway.QueueAsync(SubscriberId, "mt"),
            q => q[0].GetProperty("attempts").GetInt32() >= 2, "the first message retried after GATEWAY_RETRY_INTERVAL");
        Assert.Empty(await gateway.InboxAsync(Mobile)); // still unreachable, so still nothing

        await gateway.SetReachableAsync(Mobile, true);

        var inbox = await InboxOf(gateway, 2);
        Assert.Equal(["first", "second"], inbox.Select(m => m.GetProperty("text").GetString()));
        await EventuallyAsync(() => gateway.QueueAsync(SubscriberId, "mt"), q => q.Count == 0, "the mt queue empty after delivery");
        await Task.Delay(300);
        Assert.Equal(2, (await gateway.InboxAsync(Mobile)).Count); // each delivered once
    }
}
