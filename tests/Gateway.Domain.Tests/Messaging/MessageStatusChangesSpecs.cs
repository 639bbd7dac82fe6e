using Gateway.Domain.Messaging;
using Gateway.Domain.Sms;

namespace Gateway.Domain.Tests.Messaging;

/// <summary>How journaled subscriber events become changes of the message status view.</summary>
public class MessageStatusChangesSpecs
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly TimeSpan ReassemblyTimeout = TimeSpan.FromMinutes(5);
    private const string Did = "+19465559040";
    private const string Other = "+12145555273";

    [Fact]
    public void An_accepted_message_should_start_its_row_with_everything_the_contract_shows()
    {
        var message = new PendingMessage(Id(1), MessageDirection.Mt, new MessageContent(MessageType.Sms, Other, [Did], Did, "hi", []),
            T0, T0.AddDays(7), Segments: 1);

        var created = Assert.IsType<MessageStatusCreated>(Assert.Single(MessageStatusChanges.From("s1", new MessageAccepted(message))));

        Assert.Equal(new MessageStatusRecord(Id(1), "s1", MessageDirection.Mt, MessageType.Sms, MessageStatus.Accepted, 0, null, T0, T0, 1),
            created.Record);
    }

    [Theory]
    [InlineData(DeliveryResult.Delivered, MessageStatus.Delivered)]
    [InlineData(DeliveryResult.PermanentFailure, MessageStatus.Failed)]
    [InlineData(DeliveryResult.TemporaryFailure, MessageStatus.Queued)]
    public void An_attempt_should_count_and_set_the_status_it_left(DeliveryResult result, MessageStatus status)
    {
        var attempted = new DeliveryAttempted(MessageDirection.Mo, Id(2), new DeliveryOutcome(result, "primary: 503"), T0, null);

        Assert.Equal(new MessageStatusAttempted(Id(2), status, "primary: 503", T0), Assert.Single(MessageStatusChanges.From("s1", attempted)));
    }

    [Fact]
    public void An_expiry_should_make_the_message_expired()
    {
        Assert.Equal(new MessageStatusExpired(Id(3), T0),
            Assert.Single(MessageStatusChanges.From("s1", new MessageExpired(MessageDirection.Mt, Id(3), T0))));
    }

    [Fact]
    public void A_withdrawal_should_take_the_row_away()
    {
        var id = MessageId.New(DateTimeOffset.UnixEpoch);

        var change = Assert.Single(MessageStatusChanges.From("s1", new MessageWithdrawn(id, DateTimeOffset.UnixEpoch)));

        Assert.Equal(new MessageStatusWithdrawn(id), change);
    }

    [Fact]
    public void Only_the_segment_that_completes_an_origination_should_say_so_and_start_its_row()
    {
        var queues = new SubscriberQueues(ReassemblyTimeout);
        Assert.True(SmsSegmenter.TrySegment(new string('x', 400), 9, out var segmented, out _));
        Assert.Equal(3, segmented.Count);
        var events = new[] { Segment(segmented[2], 10, T0), Segment(segmented[0], 11, T0.AddSeconds(1)), Segment(segmented[2], 12, T0.AddSeconds(2)),
            Segment(segmented[1], 13, T0.AddSeconds(3)), Segment(segmented[1], 14, T0.AddSeconds(4)) };

        var journaled = new List<SmsSegmentReceived>();
        foreach (var e in events)
        {
            journaled.Add(e with { CompletesMessage = queues.WouldComplete(e) }); // as the entity writes it
            queues.Apply(e);
        }

        Assert.Equal([false, false, false, true, false], journaled.Select(e => e.CompletesMessage)); // the repeats after completion are duplicates
        Assert.All(journaled.Where(e => !e.CompletesMessage), e => Assert.Empty(MessageStatusChanges.From("s1", e)));
        var created = Assert.IsType<MessageStatusCreated>(Assert.Single(MessageStatusChanges.From("s1", journaled[3])));
        Assert.Equal(new MessageStatusRecord(Id(13), "s1", MessageDirection.Mo, MessageType.Sms, MessageStatus.Accepted, 0, null,
            T0.AddSeconds(3), T0.AddSeconds(3), 3), created.Record);
        Assert.Equal(Id(13), queues.Head(MessageDirection.Mo)!.Id);
    }

    [Fact]
    public void A_single_segment_should_always_complete_its_origination()
    {
        var queues = new SubscriberQueues(ReassemblyTimeout);
        Assert.True(SmsSegmenter.TrySegment("hello", 1, out var segmented, out _));

        var segment = Segment(segmented[0], 1, T0);
        Assert.True(queues.WouldComplete(segment));
        Assert.Equal(1, Assert.IsType<MessageStatusCreated>(Assert.Single(MessageStatusChanges.From("s1", segment with { CompletesMessage = true }))).Record.Segments);
    }

    [Fact]
    public void Given_up_reassemblies_should_start_one_row_each_with_their_segment_counts()
    {
        var queues = new SubscriberQueues(ReassemblyTimeout);
        Assert.True(SmsSegmenter.TrySegment(new string('a', 400), 1, out var three, out _));
        Assert.True(SmsSegmenter.TrySegment(new string('b', 200), 2, out var two, out _));
        queues.Apply(Segment(three[0], 1, T0));
        queues.Apply(Segment(two[1], 2, T0.AddSeconds(1)));
        var at = T0 + ReassemblyTimeout + TimeSpan.FromSeconds(1);

        var segments = queues.Reassembler.SegmentsOfExpiring(at);
        var expired = new ReassemblyExpired(at, Did, [Id(20), Id(21)], at.AddDays(7), segments);

        Assert.Equal([3, 2], segments);
        var transitions = queues.Apply(expired);
        Assert.Equal(transitions.Select(t => (int?)t.Message.Segments),
            MessageStatusChanges.From("s1", expired).Cast<MessageStatusCreated>().Select(c => c.Record.Segments));
        Assert.Equal([Id(20), Id(21)], MessageStatusChanges.From("s1", expired).Select(c => c.Id));
    }

    [Fact]
    public void A_row_should_fold_its_attempts_and_expiry_like_the_table_does()
    {
        var start = new MessageStatusRecord(Id(4), "s1", MessageDirection.Mo, MessageType.Mms, MessageStatus.Accepted, 0, null, T0, T0, null);

        var after = start
            .With(new MessageStatusAttempted(Id(4), MessageStatus.Queued, "primary: 503", T0.AddSeconds(1)))
            .With(new MessageStatusAttempted(Id(4), MessageStatus.Queued, null, T0.AddSeconds(31)))
            .With(new MessageStatusExpired(Id(4), T0.AddDays(7)));

        Assert.Equal(start with { Status = MessageStatus.Expired, Attempts = 2, LastError = "primary: 503", UpdatedAt = T0.AddDays(7) }, after);
        Assert.True(after.IsFinal);
    }

    [Fact]
    public void WouldComplete_should_agree_with_Add_over_shuffled_and_repeated_segments()
    {
        var random = new Random(20261123);
        for (var round = 0; round < 300; round++)
        {
            var reassembler = new SmsReassembler(ReassemblyTimeout);
            var pool = new List<(string To, SmsSegment Segment)>();
            for (var m = 0; m < 3; m++)
            {
                var to = m == 2 ? Other : Did;
                Assert.True(SmsSegmenter.TrySegment(new string((char)('a' + m), random.Next(1, 500)), (byte)random.Next(0, 3), out var segmented, out _));
                pool.AddRange(segmented.Segments.Select(s => (to, s)));
            }
            var at = T0;
            for (var step = 0; step < 40; step++)
            {
                var (to, segment) = pool[random.Next(pool.Count)];
                at = at.AddSeconds(random.Next(0, 200)); // sometimes past the timeout: completed ones are forgotten
                reassembler.ForgetCompleted(at);
                var predicted = reassembler.WouldComplete(to, segment, at);
                Assert.Equal(predicted, reassembler.Add(to, segment, at).Status == ReassemblyStatus.Completed);
            }
        }
    }

    private static MessageId Id(int n) => MessageId.Parse($"msg_{n:x32}");

    private static SmsSegmentReceived Segment(SmsSegment segment, int id, DateTimeOffset at) =>
        new(Other, Did, segment.DataCoding, segment.HasUserDataHeader, segment.ShortMessage.ToArray(), at, Id(id), at.AddDays(7));
}
