using BenchmarkDotNet.Attributes;
using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;
using Gateway.Northbound.MessageCopies;

namespace Gateway.Benchmarks;

/// <summary>
/// Rendering one Message Copy POST body: the seed's JSON for an SMS, and for an MMS the MM7 multipart
/// (MimeKit, base64) inside that JSON. Every copy is rendered once per attempt to post it.
/// </summary>
[MemoryDiagnoser]
public class MessageCopyBenchmarks
{
    private static readonly DateTimeOffset CapturedAt = new(2024, 9, 16, 19, 30, 39, 90, TimeSpan.Zero);
    private static readonly CopySubscriber Subscriber = new("software.tango-networks", "+19465559040", "+19465559040", "s021157");

    private MessageCopy _sms = null!;
    private MessageCopy _mms = null!;

    /// <summary>Bytes of the MMS's image (a photo-sized item; the partner API's cap is 1 MiB for all media).</summary>
    [Params(100 * 1024)]
    public int ImageBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _sms = new MessageCopy(MessageId.New(CapturedAt), MessageDirection.Mo, new RecordingServerId("rs1"), CapturedAt, Subscriber,
            new MessageContent(MessageType.Sms, "+19465559040", ["+12145555273"], "+19465559040", "This is SMS one 😀.", []));
        var image = new byte[ImageBytes];
        new Random(7).NextBytes(image);
        _mms = new MessageCopy(MessageId.New(CapturedAt), MessageDirection.Mt, new RecordingServerId("rs1"), CapturedAt, Subscriber,
            new MessageContent(MessageType.Mms, "+12145555273", ["+19465559040", "+13125550000"], "+19465559040", "Look, a picture",
                [new MediaItem("image/jpeg", "photo.jpg", image)]));
    }

    [Benchmark]
    public byte[] SmsCopy() => SmsEventJson.Render(_sms);

    [Benchmark]
    public byte[] MmsCopy() => SmsEventJson.Render(_mms);
}
