using Gateway.Domain.Addressing;
using Gateway.Domain.Messaging;
using Gateway.Domain.Sms;
using Gateway.Engine.Delivery;

namespace Gateway.Southbound.Simulator;

/// <summary>
/// What a simulated handset sends (CONTRACT §5, <c>POST /sim/handsets/{mobile}/messages</c>).
/// </summary>
/// <param name="Type">SMS or MMS.</param>
/// <param name="To">The recipients: exactly one for an SMS; every participant for a (group) MMS.</param>
/// <param name="Text">The text; required for an SMS.</param>
/// <param name="Media">MMS content items; must be empty for an SMS.</param>
/// <param name="Shuffle">Hand the SMS segments to the gateway out of order (ignored for MMS and single-segment SMS).</param>
public sealed record HandsetMessage(
    MessageType Type,
    IReadOnlyList<RecipientAddress> To,
    string? Text,
    IReadOnlyList<MediaItem> Media,
    bool Shuffle = false);

/// <summary>
/// How a handset's send ended. <see cref="Status"/> is <see cref="IngressStatus.Accepted"/> only once the
/// gateway acknowledged every segment (or the whole MMS); otherwise it is the gateway's last answer
/// (<see cref="IngressStatus.Unavailable"/> after the retries ran out, <see cref="IngressStatus.UnknownHandset"/>,
/// <see cref="IngressStatus.Refused"/>) or <see cref="IngressStatus.Refused"/> for a message the handset
/// could not send at all (invalid input), with <see cref="Error"/> saying why.
/// </summary>
/// <param name="Status">The outcome.</param>
/// <param name="Segments">How many segments the SMS was split into (0 for an MMS, or an SMS refused before segmenting).</param>
/// <param name="Encoding">The SMS's encoding; null for an MMS or an SMS refused before segmenting.</param>
/// <param name="Error">What went wrong; null when accepted.</param>
public sealed record HandsetSendResult(IngressStatus Status, int Segments, SmsEncoding? Encoding, string? Error)
{
    public bool IsAccepted => Status == IngressStatus.Accepted;

    internal static HandsetSendResult Invalid(string error) => new(IngressStatus.Refused, 0, null, error);
}
