using Gateway.Domain.Messaging;
using Gateway.Domain.Sms;
using Gateway.Engine.Simulator;
using Gateway.Engine.Subscribers;
using Gateway.Domain.Provisioning;

namespace Gateway.Engine.Tests;

/// <summary>Valid subscriber messages and state for specs.</summary>
public static class SubscriberSamples
{
    public static readonly DateTimeOffset At = new(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    public static readonly MessageId Id = MessageId.Parse("msg_0194a3b2c1d07e8f9a0b1c2d3e4f5a6b");

    public static MessageContent Content() =>
        new(MessageType.Sms, "+12145555273", ["+19465559040"], "+19465559040", "Hello 😀", []);

    public static PendingMessage Pending() => new(Id, MessageDirection.Mt, Content(), At, At.AddDays(7), 1);

    public static SubscriberSnapshot Snapshot() =>
        new([Pending() with { Attempts = 3, LastError = "handset unreachable", NextAttemptAt = At.AddSeconds(30), UpdatedAt = At }],
            [Pending() with { Direction = MessageDirection.Mo, Content = Content() with { Type = MessageType.Mms, Media = [new MediaItem("image/png", null, [1, 2])] } }],
            new ReassemblySnapshot(
                [new ReassemblyEntrySnapshot("+12145555273", 7, false, 2, At, At, [new ReassemblyPartSnapshot(1, SmsEncoding.Gsm7, [0x41])])],
                []));

    /// <summary>Types holding lists or arrays, whose record equality compares references: their JSON is compared instead.</summary>
    public static bool ComparesByJsonOnly(object sample) =>
        sample is CatalogSnapshot or SubscriberSnapshot or MessageAccepted or SmsSegmentReceived or ReassemblyExpired
            or SubscriberProtocol.AcceptTermination or SubscriberProtocol.ReceiveSmsSegment or SubscriberProtocol.ReceiveMms
            or SubscriberProtocol.QueueView or SimulatorProtocol.InboxPart;
}
