using System.Runtime.InteropServices;
using Gateway.Domain.Addressing;
using Gateway.Domain.Messaging;
using Gateway.Domain.Sms;
using Gateway.Engine.Delivery;

namespace Gateway.Southbound.Tests.Simulator;

/// <summary>Builds submissions from the codec's own output, and garbles them as a faulty link would.</summary>
internal static class Wire
{
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static SegmentedSms Segment(string text, byte reference = 42)
    {
        Assert.True(SmsSegmenter.TrySegment(text, reference, out var segmented, out var error), error?.ToString());
        return segmented;
    }

    /// <summary>
    /// A termination of <paramref name="text"/> as segments. The content's own text is deliberately
    /// something else: the network must work from the segments only.
    /// </summary>
    public static NetworkSubmission Sms(E164Number handset, string text, string from = "+12145555273", byte reference = 42) =>
        Sms(handset, Segment(text, reference), from);

    public static NetworkSubmission Sms(E164Number handset, SegmentedSms segments, string from = "+12145555273") =>
        new(MessageId.New(Start), handset,
            new MessageContent(MessageType.Sms, from, [handset.Value], handset.Value, "not what the segments say", []),
            segments);

    public static NetworkSubmission Mms(E164Number handset, string? text, params MediaItem[] media) =>
        new(MessageId.New(Start), handset,
            new MessageContent(MessageType.Mms, "+12145555273", [handset.Value, "+19465559040"], handset.Value, text, media),
            null);

    /// <summary>The array the segments' <c>short_message</c> octets live in (the segmenter writes all into one).</summary>
    public static ArraySegment<byte> Bytes(SmsSegment segment)
    {
        Assert.True(MemoryMarshal.TryGetArray(segment.ShortMessage, out var bytes));
        return bytes;
    }

    /// <summary>
    /// Rewrites the wire so that position <c>i</c> carries what segment <c>order[i]</c> carried: the
    /// segments travel in that order. Needs segments of one length (the slots stay where they are).
    /// </summary>
    public static void Reorder(SegmentedSms segmented, IReadOnlyList<int> order)
    {
        var copies = segmented.Segments.Select(s => s.ShortMessage.ToArray()).ToArray();
        Assert.All(copies, c => Assert.Equal(copies[0].Length, c.Length));
        for (var i = 0; i < order.Count; i++)
            copies[order[i]].CopyTo(Bytes(segmented[i]).AsSpan());
    }

    public static string Repeat(string unit, int count) => string.Concat(Enumerable.Repeat(unit, count));

    /// <summary>Reassembles what an ingress received, as the gateway would.</summary>
    public static ReassembledSms Reassemble(IEnumerable<SmsSegment> segments)
    {
        var reassembler = new SmsReassembler(TimeSpan.FromMinutes(5));
        ReassembledSms? message = null;
        foreach (var segment in segments)
            message = reassembler.Add("+19465559040", segment, Start).Message ?? message;
        Assert.NotNull(message);
        return message;
    }
}
