using Gateway.Domain.Sms;

namespace Gateway.Domain.Messaging;

/// <summary>
/// What <c>GET /v1/messages/{id}</c> shows of a message (CONTRACT §3), as the message status view
/// keeps it: one row per message, built from the subscriber entities' journals.
/// </summary>
/// <param name="SubscriberId">The entity that holds (or held) the message.</param>
/// <param name="Segments">SMS segments (mt: sent; mo: received); null for MMS.</param>
public sealed record MessageStatusRecord(
    MessageId Id,
    string SubscriberId,
    MessageDirection Direction,
    MessageType Type,
    MessageStatus Status,
    int Attempts,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int? Segments)
{
    public bool IsFinal => Status is MessageStatus.Delivered or MessageStatus.Failed or MessageStatus.Expired;

    /// <summary>This row after <paramref name="change"/> (an attempt or an expiry of this message).</summary>
    public MessageStatusRecord With(MessageStatusChange change) => change switch
    {
        MessageStatusAttempted attempted => this with
        {
            Status = attempted.Status, Attempts = Attempts + 1, LastError = attempted.Error ?? LastError, UpdatedAt = attempted.At,
        },
        MessageStatusExpired expired => this with { Status = MessageStatus.Expired, UpdatedAt = expired.At },
        _ => this,
    };

    /// <summary>The view of a message still in its subscriber's queue, with its live status.</summary>
    public static MessageStatusRecord Of(string subscriberId, PendingMessage message, MessageStatus status) =>
        new(message.Id, subscriberId, message.Direction, message.Content.Type, status, message.Attempts, message.LastError,
            message.AcceptedAt, message.UpdatedAt ?? message.AcceptedAt, message.Segments);
}

/// <summary>One change to the message status view; applying each change once gives the view.</summary>
public abstract record MessageStatusChange(MessageId Id);

/// <summary>A message was accepted into a queue: its row starts (a row already there is kept).</summary>
public sealed record MessageStatusCreated(MessageStatusRecord Record) : MessageStatusChange(Record.Id);

/// <summary>A delivery attempt ended: one more attempt, and the status it left the message in.</summary>
public sealed record MessageStatusAttempted(MessageId Id, MessageStatus Status, string? Error, DateTimeOffset At) : MessageStatusChange(Id);

/// <summary>The message expired in its queue.</summary>
public sealed record MessageStatusExpired(MessageId Id, DateTimeOffset At) : MessageStatusChange(Id);

/// <summary>
/// The message's accept was withdrawn (its write came after the partner's deadline; the partner heard
/// 503): its row goes, as if it had never been accepted.
/// </summary>
public sealed record MessageStatusWithdrawn(MessageId Id) : MessageStatusChange(Id);

/// <summary>
/// Turns a subscriber entity's journaled events into changes of the message status view. Pure: the
/// projection that keeps the view calls it for every subscriber event in journal order.
/// </summary>
public static class MessageStatusChanges
{
    public static IReadOnlyList<MessageStatusChange> From(string subscriberId, ISubscriberEvent @event)
    {
        switch (@event)
        {
            case MessageAccepted accepted:
                return [new MessageStatusCreated(MessageStatusRecord.Of(subscriberId, accepted.Message, MessageStatus.Accepted))];

            case DeliveryAttempted attempted:
                var status = attempted.Outcome.Result switch
                {
                    DeliveryResult.Delivered => MessageStatus.Delivered,
                    DeliveryResult.PermanentFailure => MessageStatus.Failed,
                    _ => MessageStatus.Queued,
                };
                return [new MessageStatusAttempted(attempted.Id, status, attempted.Outcome.Error, attempted.AttemptedAt)];

            case MessageExpired expired:
                return [new MessageStatusExpired(expired.Id, expired.ExpiredAt)];

            case MessageWithdrawn withdrawn:
                return [new MessageStatusWithdrawn(withdrawn.Id)];

            case SmsSegmentReceived segment:
            {
                if (!segment.CompletesMessage || !SmsSegmentParser.TryParseShortMessage(segment.DataCoding, segment.UserDataHeader, segment.ShortMessage, out var parsed, out _))
                    return [];
                var total = parsed.Concatenation?.Total ?? 1;
                return [Created(subscriberId, segment.IdIfCompleted, segment.ReceivedAt, total)];
            }

            case ReassemblyExpired expired:
            {
                var changes = new MessageStatusChange[expired.Ids.Count];
                for (var i = 0; i < changes.Length; i++)
                {
                    int? segments = expired.Segments is { } counts && i < counts.Count ? counts[i] : null;
                    changes[i] = Created(subscriberId, expired.Ids[i], expired.At, segments);
                }
                return changes;
            }

            default:
                return [];
        }
    }

    private static MessageStatusCreated Created(string subscriberId, MessageId id, DateTimeOffset at, int? segments) =>
        new(new MessageStatusRecord(id, subscriberId, MessageDirection.Mo, MessageType.Sms, MessageStatus.Accepted, 0, null, at, at, segments));
}
