using Gateway.Domain.Messaging;
using Gateway.Domain.Sms;

namespace Gateway.Engine.Simulator;

/// <summary>
/// A message as a simulated handset shows it (CONTRACT §5, <c>GET /sim/handsets/{mobile}/messages</c>).
/// It lives in the engine, not next to the simulator, because it crosses nodes (a node's answer to
/// <see cref="SimulatorProtocol.GetInbox"/>) and every wire type is registered in the engine's
/// <see cref="Serialization.WireManifests"/>.
/// </summary>
/// <param name="From">The sender as the network gave it (E.164, short code or alphanumeric sender).</param>
/// <param name="To">Every participant of the message, as submitted.</param>
/// <param name="Type">SMS or MMS.</param>
/// <param name="Text">
/// For an SMS, the text the handset put back together from the segments; an SMS whose parts timed out
/// carries <see cref="SmsReassembler.GapMarker"/> for each run of missing parts. For an MMS, its text, if any.
/// </param>
/// <param name="Media">The MMS content items; empty for an SMS.</param>
/// <param name="Segments">How many segments the SMS had (its concatenation total); null for an MMS.</param>
/// <param name="Encoding">UCS-2 if any segment was, else GSM 7-bit; null for an MMS.</param>
/// <param name="ReceivedAt">
/// When the handset showed it: the arrival of its last segment, or for an SMS given up on, the moment the
/// handset noticed the timeout (the next submission to it or the next look at its inbox).
/// </param>
public sealed record ReceivedMessage(
    string From,
    IReadOnlyList<string> To,
    MessageType Type,
    string? Text,
    IReadOnlyList<MediaItem> Media,
    int? Segments,
    SmsEncoding? Encoding,
    DateTimeOffset ReceivedAt)
{
    /// <summary>False for an SMS the handset gave up waiting for (it shows gaps).</summary>
    public bool IsComplete { get; init; } = true;
}
