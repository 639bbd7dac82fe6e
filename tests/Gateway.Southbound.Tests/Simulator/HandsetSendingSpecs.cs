using Gateway.Domain.Addressing;
using Gateway.Domain.Messaging;
using Gateway.Domain.Sms;
using Gateway.Engine.Delivery;
using Gateway.Southbound.Simulator;

namespace Gateway.Southbound.Tests.Simulator;

public class HandsetSendingSpecs
{
    private static readonly E164Number Handset = E164Number.Parse("+19465559040");
    private static readonly RecipientAddress Partner = RecipientAddress.Parse("+12145555273");
    private static readonly SimulatorOptions NoDelay = new() { IngressRetryDelay = TimeSpan.Zero };

    private readonly RecordingIngress _ingress = new();

    private static SimulatedMobileNetwork Network(int seed = 1, int attempts = 3) =>
        new(NoDelay with { IngressAttempts = attempts }, new ManualTimeProvider(Wire.Start), new Random(seed));

    private static HandsetMessage Sms(string? text, bool shuffle = false) => new(MessageType.Sms, [Partner], text, [], shuffle);

    [Fact]
    public async Task A_long_sms_should_reach_the_ingress_as_concatenated_segments()
    {
        var text = Wire.Repeat("a", 161);

        var result = await Network().SendFromHandsetAsync(Handset, Sms(text), _ingress, CancellationToken.None);

        Assert.Equal(new HandsetSendResult(IngressStatus.Accepted, 2, SmsEncoding.Gsm7, null), result);
        var calls = _ingress.Segments;
        Assert.Equal(2, calls.Count);
        Assert.All(calls, call =>
        {
            Assert.Equal(Handset, call.Handset);
            Assert.Equal(Partner, call.To);
            Assert.True(call.Segment.HasUserDataHeader);
            Assert.Equal(DataCodings.Gsm7, call.Segment.DataCoding);
            Assert.Equal(2, call.Segment.Concatenation!.Value.Total);
        });
        Assert.Equal([1, 2], calls.Select(c => (int)c.Segment.Concatenation!.Value.Sequence));
        Assert.Equal(text, Wire.Reassemble(calls.Select(c => c.Segment)).Text);
    }

    [Fact]
    public async Task A_short_sms_should_reach_the_ingress_as_one_segment_without_header()
    {
        var result = await Network().SendFromHandsetAsync(Handset, Sms("Hello"), _ingress, CancellationToken.None);

        Assert.Equal(new HandsetSendResult(IngressStatus.Accepted, 1, SmsEncoding.Gsm7, null), result);
        var segment = Assert.Single(_ingress.Segments).Segment;
        Assert.False(segment.HasUserDataHeader);
        Assert.Equal("Hello", segment.DecodeText());
    }

    [Fact]
    public async Task A_text_with_an_emoji_should_be_sent_in_ucs2()
    {
        var result = await Network().SendFromHandsetAsync(Handset, Sms("See you 😀"), _ingress, CancellationToken.None);

        Assert.Equal(new HandsetSendResult(IngressStatus.Accepted, 1, SmsEncoding.Ucs2, null), result);
        var segment = Assert.Single(_ingress.Segments).Segment;
        Assert.Equal(DataCodings.Ucs2, segment.DataCoding);
        Assert.Equal("See you 😀", segment.DecodeText());
    }

    [Fact]
    public async Task A_shuffled_sms_should_reach_the_ingress_out_of_order_under_one_reference()
    {
        var text = Wire.Repeat("0123456789", 70); // 700 septets: 5 segments

        var result = await Network(seed: 7).SendFromHandsetAsync(Handset, Sms(text, shuffle: true), _ingress, CancellationToken.None);

        Assert.True(result.IsAccepted);
        Assert.Equal(5, result.Segments);
        var segments = _ingress.Segments.Select(c => c.Segment).ToArray();
        var sequences = segments.Select(s => (int)s.Concatenation!.Value.Sequence).ToArray();
        Assert.NotEqual([1, 2, 3, 4, 5], sequences);
        Assert.Equal([1, 2, 3, 4, 5], sequences.Order());
        Assert.Single(segments.Select(s => s.Concatenation!.Value.Reference).Distinct());
        Assert.Equal(text, Wire.Reassemble(segments).Text);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task A_shuffle_should_never_leave_the_segments_in_order(int seed)
    {
        await Network(seed).SendFromHandsetAsync(Handset, Sms(Wire.Repeat("b", 200), shuffle: true), _ingress, CancellationToken.None);

        Assert.Equal([2, 1], _ingress.Segments.Select(c => (int)c.Segment.Concatenation!.Value.Sequence));
    }

    [Fact]
    public async Task The_reference_should_rotate_between_two_messages_to_the_same_destination()
    {
        var network = Network();
        var other = RecipientAddress.Parse("73223");

        await network.SendFromHandsetAsync(Handset, Sms(Wire.Repeat("a", 200)), _ingress, CancellationToken.None);
        await network.SendFromHandsetAsync(Handset, new HandsetMessage(MessageType.Sms, [other], Wire.Repeat("c", 200), [], false), _ingress, CancellationToken.None);
        await network.SendFromHandsetAsync(Handset, Sms(Wire.Repeat("b", 200)), _ingress, CancellationToken.None);

        var references = _ingress.Segments.Where(c => c.To == Partner).Select(c => c.Segment.Concatenation!.Value.Reference).ToArray();
        Assert.Equal(4, references.Length);
        Assert.Equal(references[0], references[1]);
        Assert.Equal(references[2], references[3]);
        Assert.Equal((ushort)unchecked((byte)(references[0] + 1)), references[2]);
    }

    [Fact]
    public async Task An_mms_should_reach_the_ingress_whole()
    {
        var picture = new MediaItem("image/png", "cat.png", [0x89, 0x50, 0x4E, 0x47]);
        var group = new RecipientAddress[] { Partner, RecipientAddress.Parse("+447700900123") };

        var result = await Network().SendFromHandsetAsync(
            Handset, new HandsetMessage(MessageType.Mms, group, Wire.Repeat("long caption ", 50), [picture], true), _ingress, CancellationToken.None);

        Assert.Equal(new HandsetSendResult(IngressStatus.Accepted, 0, null, null), result);
        Assert.Empty(_ingress.Segments);
        var mms = Assert.Single(_ingress.Mms);
        Assert.Equal(Handset, mms.Handset);
        Assert.Equal(group, mms.To);
        Assert.Equal(Wire.Repeat("long caption ", 50), mms.Text);
        Assert.Same(picture, Assert.Single(mms.Media));
    }

    [Fact]
    public async Task A_segment_the_gateway_could_not_journal_should_be_offered_again_until_accepted()
    {
        _ingress.Answer(
            new IngressResult(IngressStatus.Unavailable, "journal down"),
            new IngressResult(IngressStatus.Unavailable, "journal down"));

        var result = await Network(attempts: 3).SendFromHandsetAsync(Handset, Sms(Wire.Repeat("a", 161)), _ingress, CancellationToken.None);

        Assert.True(result.IsAccepted);
        Assert.Equal([1, 1, 1, 2], _ingress.Segments.Select(c => (int)c.Segment.Concatenation!.Value.Sequence));
    }

    [Fact]
    public async Task Retries_should_wait_the_configured_delay_between_attempts()
    {
        _ingress.Answer(new IngressResult(IngressStatus.Unavailable), new IngressResult(IngressStatus.Unavailable));
        var network = new SimulatedMobileNetwork(new SimulatorOptions { IngressAttempts = 3, IngressRetryDelay = TimeSpan.FromMilliseconds(20) });
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = await network.SendFromHandsetAsync(Handset, Sms("Hi"), _ingress, CancellationToken.None);

        Assert.True(result.IsAccepted);
        Assert.Equal(3, _ingress.Segments.Count);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(35), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_cancelled_send_should_stop_waiting_for_the_next_attempt()
    {
        _ingress.Answer(new IngressResult(IngressStatus.Unavailable));
        var network = new SimulatedMobileNetwork(new SimulatorOptions { IngressRetryDelay = TimeSpan.FromMinutes(10) });
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => network.SendFromHandsetAsync(Handset, Sms("Hi"), _ingress, cancellation.Token));
        Assert.Single(_ingress.Segments);
    }

    [Fact]
    public async Task A_gateway_unavailable_for_every_attempt_should_fail_the_send_and_stop()
    {
        var unavailable = new IngressResult(IngressStatus.Unavailable, "journal down");
        _ingress.Answer(IngressResult.Accepted, unavailable, unavailable, unavailable);

        var result = await Network(attempts: 3).SendFromHandsetAsync(Handset, Sms(Wire.Repeat("a", 400)), _ingress, CancellationToken.None);

        Assert.Equal(IngressStatus.Unavailable, result.Status);
        Assert.Equal(3, result.Segments);
        Assert.Contains("segment 2/3", result.Error);
        Assert.Contains("journal down", result.Error);
        Assert.Equal([1, 2, 2, 2], _ingress.Segments.Select(c => (int)c.Segment.Concatenation!.Value.Sequence));
    }

    [Theory]
    [InlineData(IngressStatus.UnknownHandset)]
    [InlineData(IngressStatus.Refused)]
    public async Task A_final_refusal_from_the_gateway_should_be_reported_at_once(IngressStatus status)
    {
        _ingress.Answer(new IngressResult(status, "no such subscriber"));

        var result = await Network().SendFromHandsetAsync(Handset, Sms(Wire.Repeat("a", 400)), _ingress, CancellationToken.None);

        Assert.Equal(status, result.Status);
        Assert.Contains("no such subscriber", result.Error);
        Assert.Single(_ingress.Segments);
    }

    [Fact]
    public async Task An_exception_from_the_gateway_should_count_as_no_answer_and_be_retried()
    {
        var ingress = new ThrowingOnceIngress();

        var result = await Network().SendFromHandsetAsync(Handset, Sms("Hi"), ingress, CancellationToken.None);

        Assert.True(result.IsAccepted);
        Assert.Equal(2, ingress.Calls);
    }

    public static TheoryData<string, HandsetMessage> InvalidMessages => new()
    {
        { "needs a text", new HandsetMessage(MessageType.Sms, [Partner], null, [], false) },
        { "needs a text", new HandsetMessage(MessageType.Sms, [Partner], "", [], false) },
        { "carries no media", new HandsetMessage(MessageType.Sms, [Partner], "Hi", [new MediaItem("image/png", null, [1])], false) },
        { "exactly one recipient, not 2", new HandsetMessage(MessageType.Sms, [Partner, RecipientAddress.Parse("73223")], "Hi", [], false) },
        { "exactly one recipient, not 0", new HandsetMessage(MessageType.Sms, [], "Hi", [], false) },
        { "too_many_segments", new HandsetMessage(MessageType.Sms, [Partner], Wire.Repeat("a", 255 * 153 + 1), [], false) },
        { "recipient address is empty", new HandsetMessage(MessageType.Sms, [default], "Hi", [], false) },
        { "at least one recipient", new HandsetMessage(MessageType.Mms, [], "Hi", [], false) },
        { "a text or media", new HandsetMessage(MessageType.Mms, [Partner], null, [], false) },
    };

    [Theory]
    [MemberData(nameof(InvalidMessages))]
    public async Task A_message_a_handset_cannot_send_should_be_refused_without_reaching_the_gateway(string error, HandsetMessage message)
    {
        var result = await Network().SendFromHandsetAsync(Handset, message, _ingress, CancellationToken.None);

        Assert.Equal(IngressStatus.Refused, result.Status);
        Assert.Contains(error, result.Error);
        Assert.Empty(_ingress.Segments);
        Assert.Empty(_ingress.Mms);
    }

    [Fact]
    public async Task The_longest_sms_should_still_be_sent()
    {
        var result = await Network().SendFromHandsetAsync(Handset, Sms(Wire.Repeat("a", 255 * 153)), _ingress, CancellationToken.None);

        Assert.True(result.IsAccepted);
        Assert.Equal(255, _ingress.Segments.Count);
    }

    private sealed class ThrowingOnceIngress : IOriginationIngress
    {
        public int Calls { get; private set; }

        public Task<IngressResult> ReceiveSmsSegmentAsync(E164Number handset, RecipientAddress to, SmsSegment segment, CancellationToken cancellationToken) =>
            ++Calls == 1 ? throw new InvalidOperationException("connection reset") : Task.FromResult(IngressResult.Accepted);

        public Task<IngressResult> ReceiveMmsAsync(
            E164Number handset, IReadOnlyList<RecipientAddress> to, string? text, IReadOnlyList<MediaItem> media, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
