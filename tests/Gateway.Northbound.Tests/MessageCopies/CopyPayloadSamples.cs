using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;

namespace Gateway.Northbound.Tests.MessageCopies;

/// <summary>Message Copies for the renderer specs, starting from the seed's SMS origination example.</summary>
public static class CopyPayloadSamples
{
    public const string Id = "msg_0191f4a2b8c37d5e9f0a1b2c3d4e5f60";
    public const string Mobile = "+19465559040";
    public const string Other = "+12145555273";

    /// <summary>Typed text with what the MMS recipe stops at: <c>,</c> <c>(</c> <c>)</c> <c>$</c>, and non-ASCII.</summary>
    public const string TypedText = "Dinner, tonight (at 8:30) costs $40 — ok? 😀";

    /// <summary>The seed's <c>startTime</c>, 2024-09-16T19:30:39.090Z, given at −05:00 and with a fraction of a millisecond.</summary>
    public static readonly DateTimeOffset SeedTime =
        new DateTimeOffset(2024, 9, 16, 14, 30, 39, 90, TimeSpan.FromHours(-5)).AddTicks(9_999);

    public static readonly CopySubscriber Subscriber = new("software.tango-networks", Mobile, Mobile, "s021157");

    public static MessageCopy Sms(MessageDirection direction, string text, string other = Other, DateTimeOffset? capturedAt = null) =>
        Copy(direction, capturedAt ?? SeedTime,
            direction == MessageDirection.Mo
                ? new MessageContent(MessageType.Sms, Mobile, [other], Mobile, text, [])
                : new MessageContent(MessageType.Sms, other, [Mobile], Mobile, text, []));

    /// <summary>An MMS the subscriber sent (<c>mo</c>) to <paramref name="to"/>, or received (<c>mt</c>) from <paramref name="to"/>[0] with the others in the group.</summary>
    public static MessageCopy Mms(MessageDirection direction, string? text, IReadOnlyList<string> to, params MediaItem[] media) =>
        Copy(direction, SeedTime,
            direction == MessageDirection.Mo
                ? new MessageContent(MessageType.Mms, Mobile, to, Mobile, text, media)
                : new MessageContent(MessageType.Mms, to[0], [Mobile, .. to.Skip(1)], Mobile, text, media));

    public static readonly string[] GroupRecipients = ["+12145555273", "+13125550000", "+14155550123"];

    /// <summary>Random bytes standing in for a PNG: the item has no file name, so it is sent as <c>image000000.png</c>.</summary>
    public static readonly byte[] Png = RandomBytes(3 * 1024 + 1, seed: 1);

    /// <summary>Random bytes standing in for a JPEG, sent under its own file name <c>photo.jpg</c>.</summary>
    public static readonly byte[] Jpeg = RandomBytes(5 * 1024 + 2, seed: 2);

    /// <summary>A group MMS (three recipients) of two pictures and <see cref="TypedText"/>.</summary>
    public static MessageCopy GroupMms(MessageDirection direction, string? text = TypedText) =>
        Mms(direction, text, GroupRecipients, new MediaItem("image/png", null, Png), new MediaItem("image/jpeg", "photo.jpg", Jpeg));

    public static MessageCopy Copy(MessageDirection direction, DateTimeOffset capturedAt, MessageContent content) =>
        new(MessageId.Parse(Id), direction, new RecordingServerId("rs-1"), capturedAt, Subscriber, content);

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
