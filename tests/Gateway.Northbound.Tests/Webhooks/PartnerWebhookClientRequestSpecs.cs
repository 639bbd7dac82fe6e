using System.Text;
using System.Text.Json;
using Gateway.Domain.Messaging;
using Gateway.Northbound.Webhooks;
using static Gateway.Northbound.Tests.Webhooks.Originations;

namespace Gateway.Northbound.Tests.Webhooks;

/// <summary>What the partner receives: the request line, headers and body of CONTRACT §4, and on which connection.</summary>
public sealed class PartnerWebhookClientRequestSpecs(FakePartner partner) : IClassFixture<FakePartner>, IDisposable
{
    private readonly PartnerWebhookClient _client = Client();

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task PartnerWebhookClient_should_post_the_contract_body_with_the_bearer_token_and_a_utf8_json_content_type()
    {
        var message = Mms("Hello 😀 <&> \"é\"",
            new MediaItem("image/png", "a.png", [1, 2, 3]),
            new MediaItem("text/vcard", null, Encoding.UTF8.GetBytes("BEGIN:VCARD")));

        var outcome = await _client.PostAsync(Target("body", partner.Url("body", "200")), message, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Delivered, outcome);
        var request = Assert.Single(partner.ReceivedFor("body"));
        Assert.Equal("POST", request.Method);
        Assert.Equal("/body/200", request.PathAndQuery);
        Assert.Equal($"Bearer {Token}", request.Header("Authorization"));
        Assert.Equal("application/json; charset=utf-8", request.Header("Content-Type"));
        Assert.Equal(
            """{"id":"msg_019b7c2e5d4a7f3e8c1b2a3d4e5f6a7b","type":"mms","from":"+19465559040","to":["+12145555273","+13125550000"],"owner":"+19465559040","text":"Hello \uD83D\uDE00 <&> \"é\"","media":[{"contentType":"image/png","fileName":"a.png","content":"AQID"},{"contentType":"text/vcard","fileName":null,"content":"QkVHSU46VkNBUkQ="}],"timestamp":"2026-01-02T03:04:05.678Z"}""",
            Encoding.UTF8.GetString(request.Body));
        using var json = JsonDocument.Parse(request.Body);
        Assert.Equal("Hello 😀 <&> \"é\"", json.RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public async Task PartnerWebhookClient_should_post_an_sms_with_empty_media_and_a_media_only_mms_with_null_text()
    {
        await _client.PostAsync(Target("kinds", partner.Url("kinds", "204")), Sms("Hi"), CancellationToken.None);
        await _client.PostAsync(Target("kinds", partner.Url("kinds", "202")), Mms(null, new MediaItem("image/gif", "g.gif", [])), CancellationToken.None);

        using var sms = JsonDocument.Parse(Assert.Single(partner.ReceivedFor("kinds", "204")).Body);
        Assert.Equal("sms", sms.RootElement.GetProperty("type").GetString());
        Assert.Equal("Hi", sms.RootElement.GetProperty("text").GetString());
        Assert.Equal(0, sms.RootElement.GetProperty("media").GetArrayLength());
        using var mms = JsonDocument.Parse(Assert.Single(partner.ReceivedFor("kinds", "202")).Body);
        Assert.Equal("mms", mms.RootElement.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, mms.RootElement.GetProperty("text").ValueKind);
        Assert.Equal("", mms.RootElement.GetProperty("media")[0].GetProperty("content").GetString());
    }

    [Fact]
    public async Task PartnerWebhookClient_should_write_the_timestamp_in_utc_with_exactly_three_millisecond_digits()
    {
        await _client.PostAsync(Target("time", partner.Url("time", "200")), Sms() with { Timestamp = new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.FromHours(-5)) }, CancellationToken.None);

        using var json = JsonDocument.Parse(Assert.Single(partner.ReceivedFor("time")).Body);
        Assert.Equal("2026-07-01T05:00:00.000Z", json.RootElement.GetProperty("timestamp").GetString());
    }

    [Fact]
    public async Task PartnerWebhookClient_should_stream_a_megabyte_of_media_as_base64_with_a_content_length()
    {
        var image = new byte[1_048_576];
        new Random(7).NextBytes(image);
        var message = Mms("big", new MediaItem("image/jpeg", "big.jpg", image));

        var outcome = await _client.PostAsync(Target("large", partner.Url("large", "200")), message, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Delivered, outcome);
        var request = Assert.Single(partner.ReceivedFor("large"));
        Assert.Equal(request.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), request.Header("Content-Length"));
        Assert.Null(request.Header("Transfer-Encoding"));
        Assert.Equal(OriginationJson.ToUtf8Bytes(message), request.Body);
        using var json = JsonDocument.Parse(request.Body);
        Assert.Equal(image, json.RootElement.GetProperty("media")[0].GetProperty("content").GetBytesFromBase64());
    }

    [Fact]
    public async Task PartnerWebhookClient_should_reuse_one_connection_across_posts_to_one_partner()
    {
        for (var i = 0; i < 3; i++)
            Assert.Equal(DeliveryOutcome.Delivered, await _client.PostAsync(Target("reuse", partner.Url("reuse", "200")), Sms(), CancellationToken.None));
        // a response body within the drain limit is read and discarded, and the connection kept
        for (var i = 0; i < 2; i++)
            Assert.Equal(DeliveryOutcome.Delivered, await _client.PostAsync(Target("reuse", partner.Url("reuse", "200-body")), Sms(), CancellationToken.None));

        var requests = partner.ReceivedFor("reuse");
        Assert.Equal(5, requests.Count);
        Assert.Single(requests.Select(r => r.ConnectionId).Distinct());
        Assert.Single(requests.Select(r => r.RemotePort).Distinct());
    }

    [Fact]
    public async Task PartnerWebhookClient_should_keep_a_separate_connection_pool_per_partner()
    {
        await _client.PostAsync(Target("pool-a", partner.Url("pools", "200")), Sms(), CancellationToken.None);
        await _client.PostAsync(Target("pool-b", partner.Url("pools", "200")), Sms(), CancellationToken.None);
        await _client.PostAsync(Target("pool-a", partner.Url("pools", "200")), Sms(), CancellationToken.None);

        var connections = partner.ReceivedFor("pools").Select(r => r.ConnectionId).ToList();
        Assert.Equal(3, connections.Count);
        Assert.NotEqual(connections[0], connections[1]);
        Assert.Equal(connections[0], connections[2]);
    }

    [Fact]
    public async Task PartnerWebhookClient_should_count_a_2xx_with_a_body_over_the_drain_limit_as_delivered()
    {
        var outcome = await _client.PostAsync(Target("huge", partner.Url("huge", "200-huge")), Sms(), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Delivered, outcome);
    }
}
