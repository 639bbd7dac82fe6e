using System.Text;
using Gateway.Domain.Messaging;
using Gateway.Northbound.Webhooks;
using static Gateway.Northbound.Tests.Webhooks.Originations;

namespace Gateway.Northbound.Tests.Webhooks;

public sealed class WebhookFormatSpecs
{
    [Theory]
    [InlineData(0L, "2026-01-02T03:04:05.000Z")]
    [InlineData(6_780_000L, "2026-01-02T03:04:05.678Z")]
    [InlineData(6_789_999L, "2026-01-02T03:04:05.678Z")]
    public void Timestamp_should_have_exactly_three_millisecond_digits_cut_not_rounded(long ticks, string expected)
    {
        var timestamp = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(ticks);

        Assert.Equal(expected, OriginationJson.FormatTimestamp(timestamp));
    }

    [Fact]
    public void Body_should_base64_media_across_segments_of_any_length()
    {
        foreach (var length in new[] { 1, 2, 3, OriginationJson.MediaChunkBytes - 1, OriginationJson.MediaChunkBytes, OriginationJson.MediaChunkBytes + 1, 3 * OriginationJson.MediaChunkBytes + 2 })
        {
            var bytes = new byte[length];
            new Random(length).NextBytes(bytes);

            var body = Encoding.UTF8.GetString(OriginationJson.ToUtf8Bytes(Mms(null, new MediaItem("image/png", "a.png", bytes))));

            Assert.Contains($"\"content\":\"{Convert.ToBase64String(bytes)}\"}}", body);
        }
    }

    [Fact]
    public void Body_should_escape_what_json_requires_and_replace_a_lone_surrogate()
    {
        var body = Encoding.UTF8.GetString(OriginationJson.ToUtf8Bytes(Sms("a\"b\\c\nd\u0001e\ud800f")));

        Assert.Contains("\"text\":\"a\\\"b\\\\c\\nd\\u0001e\\uFFFDf\"", body);
    }

    [Theory]
    [InlineData(10_000, "10s")]
    [InlineData(300, "300ms")]
    [InlineData(1_500, "1.5s")]
    [InlineData(120_000, "120s")]
    public void Timeout_should_read_as_a_short_duration(int milliseconds, string expected) =>
        Assert.Equal(expected, WebhookErrorText.Duration(TimeSpan.FromMilliseconds(milliseconds)));

    [Theory]
    [InlineData(200, DeliveryResult.Delivered)]
    [InlineData(299, DeliveryResult.Delivered)]
    [InlineData(300, DeliveryResult.PermanentFailure)]
    [InlineData(399, DeliveryResult.PermanentFailure)]
    [InlineData(400, DeliveryResult.PermanentFailure)]
    [InlineData(407, DeliveryResult.PermanentFailure)]
    [InlineData(408, DeliveryResult.TemporaryFailure)]
    [InlineData(409, DeliveryResult.PermanentFailure)]
    [InlineData(428, DeliveryResult.PermanentFailure)]
    [InlineData(429, DeliveryResult.TemporaryFailure)]
    [InlineData(499, DeliveryResult.PermanentFailure)]
    [InlineData(500, DeliveryResult.TemporaryFailure)]
    [InlineData(599, DeliveryResult.TemporaryFailure)]
    [InlineData(101, DeliveryResult.TemporaryFailure)]
    [InlineData(600, DeliveryResult.TemporaryFailure)]
    public void Status_should_be_classified_as_the_contract_says(int status, DeliveryResult expected) =>
        Assert.Equal(expected, PartnerWebhookClient.Classify(status));
}
