using Gateway.Domain.Provisioning;

namespace Gateway.Domain.Messaging;

/// <summary>
/// The subscriber as a Message Copy shows it (the seed's <c>subscriberParty</c>), as provisioned when
/// the copy was taken. <paramref name="Mobile"/> and <paramref name="Did"/> are E.164 with <c>+</c>;
/// the copy's JSON writes them without it.
/// </summary>
public sealed record CopySubscriber(string Domain, string Mobile, string Did, string SubrId);

/// <summary>
/// A copy of one message for a recording server (CONTRACT §6), taken when the gateway had an
/// origination whole from the network (<see cref="MessageDirection.Mo"/>) or delivered a termination to
/// the handset (<see cref="MessageDirection.Mt"/>), for a subscriber whose group had Message Copy on.
/// It is journaled in the same event as what it copies, so it exists exactly once per message.
/// </summary>
/// <param name="CapturedAt">When the copy was taken: the seed's <c>startTime</c> and the offload order.</param>
/// <param name="Content">The message as the partner API sees it: <c>From</c> the sender, <c>To</c> every recipient.</param>
public sealed record MessageCopy(
    MessageId MessageId,
    MessageDirection Direction,
    RecordingServerId RecordingServerId,
    DateTimeOffset CapturedAt,
    CopySubscriber Subscriber,
    MessageContent Content)
{
    /// <summary>
    /// The seed's <c>otherParty.number</c>: for <c>mo</c> the recipient (the first one of a group MMS),
    /// for <c>mt</c> the sender.
    /// </summary>
    /// <remarks>A method, not a property, so that the journal's JSON does not store it.</remarks>
    public string OtherParty() => Direction == MessageDirection.Mo ? Content.To.Count > 0 ? Content.To[0] : "" : Content.From;
}
