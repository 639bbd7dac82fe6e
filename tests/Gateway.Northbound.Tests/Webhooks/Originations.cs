using Gateway.Domain.Addressing;
using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;
using Gateway.Engine.Delivery;
using Gateway.Northbound.Configuration;
using Gateway.Northbound.Webhooks;

namespace Gateway.Northbound.Tests.Webhooks;

/// <summary>Sample originations, targets and clients for the webhook specs.</summary>
public static class Originations
{
    public const string Token = "tok-Sup3rSecret-9f8e7d";
    public const string Id = "msg_019b7c2e5d4a7f3e8c1b2a3d4e5f6a7b";

    /// <summary>2026-01-02T03:04:05.678Z and a fraction of a millisecond, given at +02:00.</summary>
    public static readonly DateTimeOffset Timestamp =
        new DateTimeOffset(2026, 1, 2, 5, 4, 5, 678, TimeSpan.FromHours(2)).AddTicks(9_999);

    public static OriginationEvent Sms(string text = "Hello") =>
        new(MessageId.Parse(Id), new MessageContent(MessageType.Sms, "+19465559040", ["+12145555273"], "+19465559040", text, []), Timestamp);

    public static OriginationEvent Mms(string? text, params MediaItem[] media) =>
        new(MessageId.Parse(Id),
            new MessageContent(MessageType.Mms, "+19465559040", ["+12145555273", "+13125550000"], "+19465559040", text, media),
            Timestamp);

    public static WebhookTarget Target(string partner, HttpUrl primary, HttpUrl? secondary = null) =>
        new(new PartnerId(partner), primary, secondary, new Secret(Token));

    public static PartnerWebhookClient Client(TimeSpan? requestTimeout = null, int maxRequestsPerPartner = 1024) =>
        new(new WebhookSettings(requestTimeout ?? TimeSpan.FromSeconds(5), maxRequestsPerPartner));
}
