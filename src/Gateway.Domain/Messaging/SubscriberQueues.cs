using Gateway.Domain.Sms;

namespace Gateway.Domain.Messaging;

/// <summary>
/// The state of one subscriber: a FIFO queue per direction (mt: to the handset, mo: to the partner)
/// and the reassembly of the handset's concatenated SMS. Changed only by <see cref="Apply"/>, so the
/// entity rebuilds exactly this from its journal. Only the head of a queue is ever attempted; it leaves
/// the queue when delivered, failed or expired, and everything behind it waits.
/// </summary>
public sealed class SubscriberQueues
{
    private readonly LinkedList<PendingMessage>[] _queues = [new(), new()];
    private readonly Dictionary<MessageId, LinkedListNode<PendingMessage>> _byId = new();

    public SubscriberQueues(TimeSpan reassemblyTimeout) => Reassembler = new SmsReassembler(reassemblyTimeout);

    private SubscriberQueues(SmsReassembler reassembler) => Reassembler = reassembler;

    /// <summary>The handset's incomplete concatenated SMS. Read it; change it only through events.</summary>
    public SmsReassembler Reassembler { get; private set; }

    /// <summary>Messages waiting in both directions.</summary>
    public int Count => _byId.Count;

    /// <summary>Whether nothing waits: no message and no part of a concatenated SMS.</summary>
    public bool IsIdle => _byId.Count == 0 && Reassembler.PendingCount == 0;

    public PendingMessage? Head(MessageDirection direction) => _queues[(int)direction].First?.Value;

    public IEnumerable<PendingMessage> Queue(MessageDirection direction) => _queues[(int)direction];

    public PendingMessage? Find(MessageId id) => _byId.TryGetValue(id, out var node) ? node.Value : null;

    /// <summary>
    /// accepted: never tried and not held up; queued: tried and waiting to be tried again, or behind a
    /// head that is (store and forward).
    /// </summary>
    public MessageStatus StatusOf(PendingMessage message)
    {
        if (message.Attempts > 0)
            return MessageStatus.Queued;
        var head = Head(message.Direction);
        return head is not null && head.Id != message.Id && head.Attempts > 0 ? MessageStatus.Queued : MessageStatus.Accepted;
    }

    /// <summary>
    /// Applies an event and returns the messages it finished or queued, for the caller's counters and
    /// replies: accepted (MessageAccepted, a completed reassembly), delivered, failed or expired.
    /// </summary>
    public IReadOnlyList<MessageTransition> Apply(ISubscriberEvent @event)
    {
        switch (@event)
        {
            case MessageAccepted accepted:
                Enqueue(accepted.Message);
                return [new MessageTransition(accepted.Message, MessageStatus.Accepted)];

            case DeliveryAttempted attempted:
            {
                var head = RequireHead(attempted.Direction, attempted.Id);
                var updated = head with
                {
                    Attempts = head.Attempts + 1,
                    LastError = attempted.Outcome.Error ?? head.LastError,
                    NextAttemptAt = attempted.NextAttemptAt,
                    UpdatedAt = attempted.AttemptedAt,
                };
                switch (attempted.Outcome.Result)
                {
                    case DeliveryResult.Delivered:
                        Dequeue(attempted.Direction);
                        return [new MessageTransition(updated, MessageStatus.Delivered)];
                    case DeliveryResult.PermanentFailure:
                        Dequeue(attempted.Direction);
                        return [new MessageTransition(updated, MessageStatus.Failed)];
                    default:
                        _queues[(int)attempted.Direction].First!.Value = updated;
                        return [new MessageTransition(updated, MessageStatus.Queued)];
                }
            }

            case MessageExpired expired:
            {
                var head = RequireHead(expired.Direction, expired.Id);
                Dequeue(expired.Direction);
                return [new MessageTransition(head with { UpdatedAt = expired.ExpiredAt, NextAttemptAt = null }, MessageStatus.Expired)];
            }

            case MessageWithdrawn withdrawn:
                // Present only on replay: at run time a withdrawn message was never enqueued.
                if (_byId.Remove(withdrawn.Id, out var node))
                    node.List!.Remove(node);
                return [];

            case SmsSegmentReceived segment:
            {
                if (!SmsSegmentParser.TryParseShortMessage(segment.DataCoding, segment.UserDataHeader, segment.ShortMessage, out var parsed, out var error))
                    throw new InvalidOperationException($"A journaled segment does not parse: {error}");
                Reassembler.ForgetCompleted(segment.ReceivedAt);
                // One entity is one handset, so the reassembler's "originator" is the recipient: handsets
                // rotate references per destination, and two long messages to two people may share one.
                var result = Reassembler.Add(segment.To, parsed, segment.ReceivedAt);
                if (result.Message is not { } sms)
                    return [];
                var message = Origination(segment.IdIfCompleted, segment.Owner, sms, segment.ReceivedAt, segment.ExpiresAtIfCompleted);
                Enqueue(message);
                return [new MessageTransition(message, MessageStatus.Accepted)];
            }

            case ReassemblyExpired reassemblyExpired:
            {
                var incomplete = Reassembler.Expire(reassemblyExpired.At);
                if (incomplete.Count != reassemblyExpired.Ids.Count)
                    throw new InvalidOperationException(
                        $"{incomplete.Count} reassemblies expired, but the event names {reassemblyExpired.Ids.Count} ids.");
                var transitions = new List<MessageTransition>(incomplete.Count);
                for (var i = 0; i < incomplete.Count; i++)
                {
                    var message = Origination(reassemblyExpired.Ids[i], reassemblyExpired.Owner, incomplete[i],
                        reassemblyExpired.At, reassemblyExpired.ExpiresAt);
                    Enqueue(message);
                    transitions.Add(new MessageTransition(message, MessageStatus.Accepted));
                }
                return transitions;
            }

            default:
                throw new ArgumentException($"Unknown subscriber event {@event.GetType().Name}.", nameof(@event));
        }
    }

    /// <summary>Whether applying <paramref name="segment"/> now would complete its message; changes nothing.</summary>
    public bool WouldComplete(SmsSegmentReceived segment) =>
        SmsSegmentParser.TryParseShortMessage(segment.DataCoding, segment.UserDataHeader, segment.ShortMessage, out var parsed, out _)
        && Reassembler.WouldComplete(segment.To, parsed, segment.ReceivedAt);

    /// <summary>The origination applying <paramref name="segment"/> now would queue, or null; changes nothing.</summary>
    public PendingMessage? CompletedBy(SmsSegmentReceived segment)
    {
        if (!SmsSegmentParser.TryParseShortMessage(segment.DataCoding, segment.UserDataHeader, segment.ShortMessage, out var parsed, out _))
            return null;
        return Reassembler.Completion(segment.To, parsed, segment.ReceivedAt) is { } sms
            ? Origination(segment.IdIfCompleted, segment.Owner, sms, segment.ReceivedAt, segment.ExpiresAtIfCompleted)
            : null;
    }

    /// <summary>The originations applying <paramref name="expired"/> now would queue, in order; changes nothing.</summary>
    public IReadOnlyList<PendingMessage> ExpiredBy(ReassemblyExpired expired)
    {
        var incomplete = Reassembler.PeekExpiring(expired.At);
        if (incomplete.Count != expired.Ids.Count)
            throw new InvalidOperationException($"{incomplete.Count} reassemblies would expire, but the event names {expired.Ids.Count} ids.");
        return [.. incomplete.Select((sms, i) => Origination(expired.Ids[i], expired.Owner, sms, expired.At, expired.ExpiresAt))];
    }

    public SubscriberSnapshot ToSnapshot() =>
        new([.. _queues[(int)MessageDirection.Mt]], [.. _queues[(int)MessageDirection.Mo]], Reassembler.ToSnapshot());

    public static SubscriberQueues FromSnapshot(SubscriberSnapshot snapshot, TimeSpan reassemblyTimeout)
    {
        var queues = new SubscriberQueues(SmsReassembler.FromSnapshot(snapshot.Reassembly, reassemblyTimeout));
        foreach (var message in snapshot.Mt.Concat(snapshot.Mo))
            queues.Enqueue(message);
        return queues;
    }

    private static PendingMessage Origination(MessageId id, string owner, ReassembledSms sms, DateTimeOffset acceptedAt, DateTimeOffset expiresAt) =>
        new(id, MessageDirection.Mo,
            new MessageContent(MessageType.Sms, owner, [sms.Originator], owner, sms.Text, []),
            acceptedAt, expiresAt, sms.Segments);

    private void Enqueue(PendingMessage message)
    {
        if (_byId.ContainsKey(message.Id))
            throw new InvalidOperationException($"Message {message.Id} is already queued.");
        _byId.Add(message.Id, _queues[(int)message.Direction].AddLast(message));
    }

    private void Dequeue(MessageDirection direction)
    {
        var queue = _queues[(int)direction];
        _byId.Remove(queue.First!.Value.Id);
        queue.RemoveFirst();
    }

    private PendingMessage RequireHead(MessageDirection direction, MessageId id)
    {
        var head = Head(direction);
        if (head is null || head.Id != id)
            throw new InvalidOperationException($"Message {id} is not the head of the {direction} queue.");
        return head;
    }
}

/// <summary>A message whose status an event set: newly queued, still queued after a failure, or final.</summary>
public sealed record MessageTransition(PendingMessage Message, MessageStatus Status)
{
    public bool IsFinal => Status is MessageStatus.Delivered or MessageStatus.Failed or MessageStatus.Expired;
}
