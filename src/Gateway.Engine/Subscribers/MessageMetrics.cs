using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gateway.Domain.Messaging;

namespace Gateway.Engine.Subscribers;

/// <summary>
/// Message counters of this node, on the <c>Gateway</c> meter (System.Diagnostics.Metrics), exported
/// at <c>/metrics</c> as <c>gateway_messages_accepted</c> etc. (the exporter joins meter and instrument). Every
/// instrument is tagged with <c>direction</c> (<c>mt</c>/<c>mo</c>) and <c>type</c> (<c>sms</c>/<c>mms</c>).
/// Counted when the outcome is journaled, never during recovery.
/// </summary>
public static class MessageMetrics
{
    public const string MeterName = "Gateway";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Messages accepted (journaled) from partners, handsets (complete or reassembly-expired).</summary>
    public static readonly Counter<long> Accepted = Meter.CreateCounter<long>("messages.accepted", "{message}");

    public static readonly Counter<long> Delivered = Meter.CreateCounter<long>("messages.delivered", "{message}");

    /// <summary>Permanent failures: the message is dropped.</summary>
    public static readonly Counter<long> Failed = Meter.CreateCounter<long>("messages.failed", "{message}");

    public static readonly Counter<long> Expired = Meter.CreateCounter<long>("messages.expired", "{message}");

    /// <summary>Terminations whose journal write finished after the partner's deadline (answered 503): taken back, never delivered.</summary>
    public static readonly Counter<long> Withdrawn = Meter.CreateCounter<long>("messages.withdrawn", "{message}");

    /// <summary>Temporary failures: the message stays for another attempt (store and forward).</summary>
    public static readonly Counter<long> Retried = Meter.CreateCounter<long>("messages.retried", "{attempt}");

    /// <summary>Messages waiting in the queues of the subscriber entities running on this node.</summary>
    public static readonly UpDownCounter<long> Queued = Meter.CreateUpDownCounter<long>("messages.queued", "{message}");

    /// <summary>Counts what one journaled event did.</summary>
    public static void Record(MessageTransition transition)
    {
        var tags = Tags(transition.Message);
        switch (transition.Status)
        {
            case MessageStatus.Accepted:
                Accepted.Add(1, tags);
                Queued.Add(1, tags);
                break;
            case MessageStatus.Queued:
                Retried.Add(1, tags);
                break;
            case MessageStatus.Delivered:
                Delivered.Add(1, tags);
                Queued.Add(-1, tags);
                break;
            case MessageStatus.Failed:
                Failed.Add(1, tags);
                Queued.Add(-1, tags);
                break;
            case MessageStatus.Expired:
                Expired.Add(1, tags);
                Queued.Add(-1, tags);
                break;
        }
    }

    public static void RecordWithdrawn(PendingMessage message) => Withdrawn.Add(1, Tags(message));

    /// <summary>Adds (or, with -1, removes) the messages an entity holds when it starts (or stops).</summary>
    public static void Hold(IEnumerable<PendingMessage> messages, int sign)
    {
        foreach (var message in messages)
            Queued.Add(sign, Tags(message));
    }

    private static TagList Tags(PendingMessage message) => new()
    {
        { "direction", message.Direction == MessageDirection.Mt ? "mt" : "mo" },
        { "type", message.Content.Type == MessageType.Sms ? "sms" : "mms" },
    };
}
