using Gateway.Domain.Messaging;
using Gateway.Engine.Serialization;

namespace Gateway.Engine.Subscribers;

/// <summary>
/// What the subscriber shard region accepts and answers. Every command names its entity (the
/// subscriber id), so one extractor routes them all.
/// </summary>
public static class SubscriberProtocol
{
    public interface ISubscriberCommand : IGatewayWire
    {
        string SubscriberId { get; }
    }

    /// <summary>
    /// A partner's termination for this subscriber; answered once it is journaled. With
    /// <paramref name="Id"/> (a request with an <c>Idempotency-Key</c> chose it before asking), a
    /// message of that id already queued, or being journaled, is answered <see cref="Accepted"/>
    /// without a second copy. With <paramref name="AcceptBy"/> (the HTTP caller's deadline, on the
    /// scheduler's clock), a command handled at or after it is answered <see cref="DeadlinePassed"/>
    /// unwritten, and one whose write completes at or after it is withdrawn.
    /// </summary>
    public sealed record AcceptTermination(string SubscriberId, MessageContent Content, MessageId? Id = null, DateTimeOffset? AcceptBy = null)
        : ISubscriberCommand;

    /// <summary>
    /// Where the message <paramref name="Id"/> (chosen for an <c>Idempotency-Key</c>) stands in this
    /// entity: <see cref="Accepted"/> when queued; when its write is under way, that write's outcome
    /// (<see cref="Accepted"/> or <see cref="DeadlinePassed"/>); otherwise <see cref="NotQueued"/>
    /// (finished, withdrawn or never accepted: the status view, read up to the journal's head, tells which).
    /// </summary>
    public sealed record AwaitAccept(string SubscriberId, MessageId Id) : ISubscriberCommand;

    /// <summary>The answer to <see cref="AwaitAccept"/> for a message neither queued nor being written.</summary>
    public sealed record NotQueued(MessageId Id) : IGatewayWire;

    /// <summary>An SMS segment from the subscriber's handset to <paramref name="To"/>; answered once journaled.</summary>
    public sealed record ReceiveSmsSegment(string SubscriberId, string To, byte DataCoding, bool UserDataHeader, byte[] ShortMessage)
        : ISubscriberCommand;

    /// <summary>A whole MMS from the subscriber's handset (a group MMS lists every participant).</summary>
    public sealed record ReceiveMms(string SubscriberId, IReadOnlyList<string> To, string? Text, IReadOnlyList<MediaItem> Media)
        : ISubscriberCommand;

    /// <summary>The subscriber's pending messages in each direction, in order.</summary>
    public sealed record GetQueue(string SubscriberId) : ISubscriberCommand;

    /// <summary>A message of this subscriber still in its queue, with its live status.</summary>
    public sealed record GetMessage(string SubscriberId, MessageId Id) : ISubscriberCommand;

    /// <summary>The answer to <see cref="GetMessage"/>: null when the message is not (or no longer) queued.</summary>
    public sealed record MessageLookup(MessageStatusRecord? Message) : IGatewayWire;

    /// <summary>Journaled. <paramref name="Id"/> is the new message's id; null for a segment that did not complete one.</summary>
    public sealed record Accepted(MessageId? Id) : IGatewayWire;

    /// <summary>
    /// Not accepted: the deadline of <see cref="AcceptTermination.AcceptBy"/> passed before the message
    /// was journaled, or its write completed after it and it was withdrawn. Nothing will be delivered.
    /// </summary>
    public sealed record DeadlinePassed(MessageId? Id) : IGatewayWire;

    /// <summary>Not journaled: the input breaks a rule (<paramref name="Code"/> is a stable error code).</summary>
    public sealed record Refused(string Code, string Message) : IGatewayWire;

    public sealed record QueueItem(MessageId Id, MessageStatus Status, int Attempts, DateTimeOffset? NextAttemptAt, DateTimeOffset ExpiresAt);

    public sealed record QueueView(IReadOnlyList<QueueItem> Mt, IReadOnlyList<QueueItem> Mo) : IGatewayWire;
}
