namespace Gateway.Domain.Messaging;

/// <summary>A message waiting in a subscriber's queue, and what its delivery attempts have done so far.</summary>
/// <param name="Segments">SMS segments (MT: as sent; MO: as received); null for MMS.</param>
public sealed record PendingMessage(
    MessageId Id,
    MessageDirection Direction,
    MessageContent Content,
    DateTimeOffset AcceptedAt,
    DateTimeOffset ExpiresAt,
    int? Segments,
    int Attempts = 0,
    string? LastError = null,
    DateTimeOffset? NextAttemptAt = null,
    DateTimeOffset? UpdatedAt = null);

/// <summary>What a subscriber entity journals. Applying the same events always gives the same state.</summary>
public interface ISubscriberEvent;

/// <summary>A termination (or a whole MMS origination) was accepted into the queue of its direction.</summary>
/// <param name="Copy">For an MMS origination of a subscriber whose group has Message Copy on: its copy.</param>
public sealed record MessageAccepted(PendingMessage Message, MessageCopy? Copy = null) : ISubscriberEvent;

/// <summary>
/// One delivery attempt of the head of <paramref name="Direction"/>'s queue ended. Delivered and
/// permanent failures take it out of the queue; a temporary failure keeps it at the head until
/// <paramref name="NextAttemptAt"/>.
/// </summary>
/// <param name="Copy">For a termination delivered to the handset of a subscriber whose group has
/// Message Copy on: its copy (journaled with the delivery, so a redelivery cannot take a second one).</param>
public sealed record DeliveryAttempted(
    MessageDirection Direction,
    MessageId Id,
    DeliveryOutcome Outcome,
    DateTimeOffset AttemptedAt,
    DateTimeOffset? NextAttemptAt,
    MessageCopy? Copy = null) : ISubscriberEvent;

/// <summary>The head of <paramref name="Direction"/>'s queue reached its expiry and was discarded.</summary>
public sealed record MessageExpired(MessageDirection Direction, MessageId Id, DateTimeOffset ExpiredAt) : ISubscriberEvent;

/// <summary>
/// The write of a termination's <see cref="MessageAccepted"/> completed after the deadline its caller
/// gave (<c>AcceptTermination.AcceptBy</c>): the partner was answered 503, so the message is taken
/// back. At run time it never entered the queue; on replay, this removes it again.
/// </summary>
public sealed record MessageWithdrawn(MessageId Id, DateTimeOffset WithdrawnAt) : ISubscriberEvent;

/// <summary>
/// An SMS segment from the subscriber's handset, journaled before the network is answered. When it
/// completes its message, the origination is queued with <paramref name="IdIfCompleted"/> and
/// <paramref name="ExpiresAtIfCompleted"/>, chosen before the write so that replay gives the same ids.
/// </summary>
/// <param name="To">The recipient (E.164 or short code); reassembly is keyed by it, as handsets rotate references per destination.</param>
/// <param name="Owner">The subscriber's DID when the segment arrived: the origination's <c>from</c> and <c>owner</c>.</param>
/// <param name="CompletesMessage">Whether this segment completed its message (decided on the state it was
/// applied to), for readers of the journal that do not reassemble (the message status view).</param>
/// <param name="Copy">When the segment completes a message of a subscriber whose group has Message Copy
/// on: that message's copy (its text decided, like <paramref name="CompletesMessage"/>, before the write).</param>
public sealed record SmsSegmentReceived(
    string To,
    string Owner,
    byte DataCoding,
    bool UserDataHeader,
    byte[] ShortMessage,
    DateTimeOffset ReceivedAt,
    MessageId IdIfCompleted,
    DateTimeOffset ExpiresAtIfCompleted,
    bool CompletesMessage = false,
    MessageCopy? Copy = null) : ISubscriberEvent;

/// <summary>
/// Concatenated SMS whose parts timed out were given up on at <paramref name="At"/>; each becomes an
/// origination, marked incomplete in its text, with the ids of <paramref name="Ids"/> in order.
/// </summary>
/// <param name="Segments">Each message's segment count (its concatenation total), in the order of
/// <paramref name="Ids"/>, for readers of the journal that do not reassemble (the message status view).</param>
/// <param name="Copies">For a subscriber whose group has Message Copy on: a copy of each message.</param>
public sealed record ReassemblyExpired(
    DateTimeOffset At,
    string Owner,
    IReadOnlyList<MessageId> Ids,
    DateTimeOffset ExpiresAt,
    IReadOnlyList<int>? Segments = null,
    IReadOnlyList<MessageCopy>? Copies = null) : ISubscriberEvent;

/// <summary>The Message Copies a subscriber event carries (CONTRACT §6).</summary>
public static class CapturedCopies
{
    public static IReadOnlyList<MessageCopy> In(ISubscriberEvent @event) => @event switch
    {
        MessageAccepted { Copy: { } copy } => [copy],
        DeliveryAttempted { Copy: { } copy } => [copy],
        SmsSegmentReceived { Copy: { } copy } => [copy],
        ReassemblyExpired { Copies: { } copies } => copies,
        _ => [],
    };
}

/// <summary>A subscriber entity's whole state, for snapshots.</summary>
public sealed record SubscriberSnapshot(
    IReadOnlyList<PendingMessage> Mt,
    IReadOnlyList<PendingMessage> Mo,
    Sms.ReassemblySnapshot Reassembly);
