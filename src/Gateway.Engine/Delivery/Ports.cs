using Gateway.Domain.Addressing;
using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;
using Gateway.Domain.Sms;

namespace Gateway.Engine.Delivery;

/// <summary>
/// The southbound port for terminations: hands one message to the mobile network for a handset.
/// Implemented by the embedded simulator today and by the SMPP/MM7 adapter later.
/// </summary>
public interface IMobileNetwork
{
    /// <summary>
    /// Submits the message. Completes with <see cref="DeliveryResult.Delivered"/> once the network took
    /// it for the handset, <see cref="DeliveryResult.TemporaryFailure"/> when the handset is unreachable
    /// or the network is busy, <see cref="DeliveryResult.PermanentFailure"/> when it refuses the message.
    /// Never throws for a network answer; cancellation ends the attempt as the caller's timeout.
    /// </summary>
    Task<DeliveryOutcome> SubmitAsync(NetworkSubmission submission, CancellationToken cancellationToken);
}

/// <summary>
/// One termination for the network: the handset (the subscriber's mobile), the message, and for an
/// SMS its segments, encoded and in order (each <c>submit_sm</c>); <see cref="Segments"/> is null for MMS.
/// </summary>
public sealed record NetworkSubmission(MessageId Id, E164Number Handset, MessageContent Content, SegmentedSms? Segments);

/// <summary>
/// The gateway's side of originations, called by the network adapter (or the simulator) for what a
/// handset sends. Each call completes only once what it carries is journaled, as an SMSC's
/// <c>deliver_sm</c> is answered only once the segment is safe.
/// </summary>
public interface IOriginationIngress
{
    /// <summary>One SMS segment from <paramref name="handset"/> (a subscriber's mobile) to <paramref name="to"/>.</summary>
    Task<IngressResult> ReceiveSmsSegmentAsync(E164Number handset, RecipientAddress to, SmsSegment segment, CancellationToken cancellationToken);

    /// <summary>A whole MMS from <paramref name="handset"/>; a group MMS lists every participant in <paramref name="to"/>.</summary>
    Task<IngressResult> ReceiveMmsAsync(
        E164Number handset, IReadOnlyList<RecipientAddress> to, string? text, IReadOnlyList<MediaItem> media, CancellationToken cancellationToken);
}

public enum IngressStatus
{
    /// <summary>Journaled; the network may forget it.</summary>
    Accepted,
    /// <summary>The handset is not a provisioned subscriber's mobile.</summary>
    UnknownHandset,
    /// <summary>The content is malformed (a codec error); resending will not help.</summary>
    Refused,
    /// <summary>Not journaled now (journal down, overload); the network should retry.</summary>
    Unavailable,
}

public sealed record IngressResult(IngressStatus Status, string? Error = null)
{
    public static readonly IngressResult Accepted = new(IngressStatus.Accepted);
}

/// <summary>The northbound port for originations: POSTs one message to the partner (CONTRACT §4).</summary>
public interface IPartnerWebhook
{
    /// <summary>
    /// Posts to the primary URL and, after a temporary failure, at once to the secondary one if set;
    /// the two together are one attempt. Never throws for an HTTP answer, a timeout or a connection error.
    /// </summary>
    Task<DeliveryOutcome> PostAsync(WebhookTarget target, OriginationEvent message, CancellationToken cancellationToken);
}

/// <summary>Where and how to reach a partner: its URLs and the bearer token the gateway sends.</summary>
public sealed record WebhookTarget(PartnerId Partner, HttpUrl PrimaryUrl, HttpUrl? SecondaryUrl, Secret SecurityToken)
{
    public static WebhookTarget For(Partner partner) =>
        new(partner.Id, partner.PrimaryUrl, partner.SecondaryUrl, partner.SecurityToken);
}

/// <summary>An origination as the partner receives it: id, content, and when the gateway received it.</summary>
public sealed record OriginationEvent(MessageId Id, MessageContent Content, DateTimeOffset Timestamp);
