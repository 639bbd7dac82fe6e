using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gateway.Domain.Messaging;
using Gateway.Engine.Storage;
using Gateway.Engine.Subscribers;

namespace Gateway.Engine.MessageCopies;

/// <summary>
/// Message Copy instruments on the <c>Gateway</c> meter (exported as <c>gateway_copies_…</c>): copies taken (on the node of the
/// subscriber's entity, tagged <c>direction</c> and <c>type</c>), copies posted and failed cycles (on
/// the node running the offload, tagged <c>recording_server</c>), and each recording server's backlog
/// as the offload last read it.
/// </summary>
public static class MessageCopyMetrics
{
    public const string MeterName = MessageMetrics.MeterName;

    private static readonly Meter Meter = new(MeterName);
    private static volatile IReadOnlyList<RecordingServerBacklog> _backlog = [];

    public static readonly Counter<long> Captured = Meter.CreateCounter<long>("copies.captured", "{copy}",
        "Message Copies taken (journaled with the message they copy).");

    public static readonly Counter<long> Offloaded = Meter.CreateCounter<long>("copies.offloaded", "{copy}",
        "Copies a recording server answered 2xx for (and that were deleted).");

    public static readonly Counter<long> FailedCycles = Meter.CreateCounter<long>("copies.failed_cycles", "{cycle}",
        "Offload cycles stopped by a failure (the copy is tried again next cycle).");

    static MessageCopyMetrics()
    {
        Meter.CreateObservableGauge("copies.backlog", () => Observe(b => b.Count), "{copy}",
            "Copies waiting for each recording server.");
        Meter.CreateObservableGauge("copies.oldest_age_seconds", () => Observe(b => b.OldestAge?.TotalSeconds ?? 0), "s",
            "Age of the oldest copy waiting for each recording server (0 when none waits).");
    }

    public static void RecordCaptured(MessageCopy copy) => Captured.Add(1, new TagList
    {
        { "direction", copy.Direction == MessageDirection.Mt ? "mt" : "mo" },
        { "type", copy.Content.Type == MessageType.Sms ? "sms" : "mms" },
    });

    public static void RecordOffloaded(string recordingServer) =>
        Offloaded.Add(1, new KeyValuePair<string, object?>("recording_server", recordingServer));

    public static void RecordFailedCycle(string recordingServer) =>
        FailedCycles.Add(1, new KeyValuePair<string, object?>("recording_server", recordingServer));

    /// <summary>Publishes the backlog the offload just read (replacing the previous reading).</summary>
    public static void PublishBacklog(IReadOnlyList<RecordingServerBacklog> backlog) => _backlog = backlog;

    private static IEnumerable<Measurement<T>> Observe<T>(Func<RecordingServerBacklog, T> value) where T : struct =>
        _backlog.Select(b => new Measurement<T>(value(b), new KeyValuePair<string, object?>("recording_server", b.RecordingServerId)));
}
