using Gateway.Domain.Messaging;
using Gateway.Domain.Sms;

namespace Gateway.Domain.Tests.Messaging;

public class SubscriberQueuesSpecs
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly TimeSpan ReassemblyTimeout = TimeSpan.FromMinutes(5);
    private const string Did = "+19465559040";
    private const string Other = "+12145555273";

    [Fact]
    public void Messages_should_queue_per_direction_in_acceptance_order()
    {
        var queues = new SubscriberQueues(ReassemblyTimeout);
        var mt1 = Termination(1);
        var mo1 = Pending(2, MessageDirection.Mo);
        var mt2 = Termination(3);

        Apply(queues, new MessageAccepted(mt1), new MessageAccepted(mo1), new MessageAccepted(mt2));

        Assert.Equal([mt1.Id, mt2.Id], queues.Queue(MessageDirection.Mt).Select(m => m.Id));
        Assert.Equal([mo1.Id], queues.Queue(MessageDirection.Mo).Select(m => m.Id));
        Assert.Equal(mt1, queues.Head(MessageDirection.Mt));
        Assert.Equal(3, queues.Count);
        Assert.False(queues.IsIdle);
    }

    [Fact]
    public void A_temporary_failure_should_keep_the_head_and_mark_everything_behind_it_queued()
    {
        var queues = new SubscriberQueues(ReassemblyTimeout);
        var first = Termination(1);
        var second = Termination(2);
        Apply(queues, new MessageAccepted(first), new MessageAccepted(second));
        Assert.Equal(MessageStatus.Accepted, queues.StatusOf(queues.Find(second.Id)!));

        var transitions = queues.Apply(new DeliveryAttempted(MessageDirection.Mt, first.Id,
            DeliveryOutcome.Temporary("handset unreachable"), T0.AddSeconds(1), T0.AddSeconds(31)));

        var head = queues.Head(MessageDirection.Mt)!;
        Assert.Equal(first.Id, head.Id);
        Assert.Equal(1, head.Attempts);
        Assert.Equal("handset unreachable", head.LastError);
        Assert.Equal(T0.AddSeconds(31), head.NextAttemptAt);
        Assert.Equal(T0.AddSeconds(1), head.UpdatedAt);
        Assert.Equal(MessageStatus.Queued, Assert.Single(transitions).Status);
        Assert.Equal(MessageStatus.Queued, queues.StatusOf(head));
        Assert.Equal(MessageStatus.Queued, queues.StatusOf(queues.Find(second.Id)!));
    }

    [Theory]
    [InlineData(DeliveryResult.Delivered, MessageStatus.Delivered)]
    [InlineData(DeliveryResult.PermanentFailure, MessageStatus.Failed)]
    public void A_final_outcome_should_take_the_head_out_of_its_queue(DeliveryResult result, MessageStatus status)
    {
        var queues = new SubscriberQueues(ReassemblyTimeout);
        var first = Termination(1);
        var second = Termination(2);
        Apply(queues, new MessageAccepted(first), new MessageAccepted(second));

        var transition = Assert.Single(queues.Apply(new DeliveryAttempted(MessageDirection.Mt, first.Id,
            new DeliveryOutcome(result, result == DeliveryResult.Delivered ? null : "refused"), T0, null)));

        Assert.Equal(status, transition.Status);
        Assert.True(transition.IsFinal);
        Assert.Equal(1, transition.Message.Attempts);
        Assert.Null(queues.Find(first.Id));
        Assert.Equal(second.Id, queues.Head(MessageDirection.Mt)!.Id);
    }

    [Fact]
    public void A_withdrawn_accept_should_leave_the_queue_on_replay_wherever_it_stands_and_be_ignored_when_absent()
    {
        var queues = new SubscriberQueues(ReassemblyTimeout);
        var first = Termination(1);
        var late = Termination(2);
        var behind = Termination(3);
        Apply(queues, new MessageAccepted(first), new MessageAccepted(late), new MessageAccepted(behind));

        Assert.Empty(queues.Apply(new MessageWithdrawn(late.Id, T0.AddSeconds(6))));

        Assert.Equal([first.Id, behind.Id], queues.Queue(MessageDirection.Mt).Select(m => m.Id));
        Assert.Null(queues.Find(late.Id));
        // At run time a withdrawn message never entered the queue: nothing to take out.
        Assert.Empty(queues.Apply(new MessageWithdrawn(late.Id, T0.AddSeconds(6))));
        Assert.Equal(2, queues.Count);
        // The same id may be accepted again afterwards (a retried Idempotency-Key).
        Apply(queues, new MessageAccepted(late));
        Assert.Equal([first.Id, behind.Id, late.Id], queues.Queue(MessageDirection.Mt).Select(m => m.Id));
    }

    [Fact]
    public void An_expired_head_should_leave_its_queue()
    {
        var queues = new SubscriberQueues(ReassemblyTimeout);
        var first = Termination(1);
        Apply(queues, new MessageAccepted(first));

        var transition = Assert.Single(queues.Apply(new MessageExpired(MessageDirection.Mt, first.Id, T0.AddDays(7))));

        Assert.Equal(MessageStatus.Expired, transition.Status);
        Assert.Null(queues.Head(MessageDirection.Mt));
        Assert.True(queues.IsIdle);
    }

    [Fact]
    public void An_outcome_for_a_message_that_is_not_the_head_should_be_rejected()
    {
        var queues = new SubscriberQueues(ReassemblyTimeout);
        var first = Termination(1);
        var second = Termination(2);
        Apply(queues, new MessageAccepted(first), new MessageAccepted(second));

        Assert.Throws<InvalidOperationException>(() =>
            queues.Apply(new DeliveryAttempted(MessageDirection.Mt, second.Id, DeliveryOutcome.Delivered, T0, null)));
        Assert.Throws<InvalidOperationException>(() => queues.Apply(new MessageAccepted(first)));
    }

    [Fact]
    public void Segments_should_become_one_origination_with_the_id_chosen_before_the_write()
    {
        var queues = new SubscriberQueues(ReassemblyTimeout);
        Assert.True(SmsSegmenter.TrySegment(new string('x', 200), 42, out var segmented, out _));

        Assert.Empty(queues.Apply(Segment(segmented[1], 10)));
        Assert.False(queues.IsIdle); // half a message waits
        var completed = Assert.Single(queues.Apply(Segment(segmented[0], 11)));

        Assert.Equal(MessageStatus.Accepted, completed.Status);
        Assert.Equal(Id(11), completed.Message.Id);
        Assert.Equal(MessageDirection.Mo, completed.Message.Direction);
        Assert.Equal(new string('x', 200), completed.Message.Content.Text);
        Assert.Equal(Did, completed.Message.Content.From);
        Assert.Equal([Other], completed.Message.Content.To);
        Assert.Equal(2, completed.Message.Segments);
        Assert.Equal(completed.Message, queues.Head(MessageDirection.Mo));
    }

    [Fact]
    public void Expired_reassemblies_should_become_originations_with_the_events_ids_in_order()
    {
        var queues = new SubscriberQueues(ReassemblyTimeout);
        Assert.True(SmsSegmenter.TrySegment(new string('a', 200), 1, out var first, out _));
        Assert.True(SmsSegmenter.TrySegment(new string('b', 200), 2, out var second, out _));
        queues.Apply(Segment(second[0], 1, T0.AddSeconds(1)));
        queues.Apply(Segment(first[0], 2, T0));
        var at = T0 + ReassemblyTimeout + TimeSpan.FromSeconds(1);
        Assert.Equal(2, queues.Reassembler.CountExpiring(at));

        var transitions = queues.Apply(new ReassemblyExpired(at, Did, [Id(20), Id(21)], at.AddDays(7)));

        Assert.Equal([Id(20), Id(21)], transitions.Select(t => t.Message.Id));
        Assert.Equal(new string('a', 153) + SmsReassembler.GapMarker, transitions[0].Message.Content.Text); // the older first
        Assert.Equal(new string('b', 153) + SmsReassembler.GapMarker, transitions[1].Message.Content.Text);
    }

    [Fact]
    public void A_snapshot_should_restore_both_queues_and_the_half_reassembled_messages()
    {
        var queues = new SubscriberQueues(ReassemblyTimeout);
        Assert.True(SmsSegmenter.TrySegment(new string('y', 200), 5, out var segmented, out _));
        var mt = Termination(1);
        Apply(queues, new MessageAccepted(mt), new MessageAccepted(Pending(2, MessageDirection.Mo)), Segment(segmented[0], 3));
        queues.Apply(new DeliveryAttempted(MessageDirection.Mt, mt.Id, DeliveryOutcome.Temporary("busy"), T0, T0.AddSeconds(30)));

        var restored = SubscriberQueues.FromSnapshot(queues.ToSnapshot(), ReassemblyTimeout);

        Assert.Equal(queues.Queue(MessageDirection.Mt), restored.Queue(MessageDirection.Mt));
        Assert.Equal(queues.Queue(MessageDirection.Mo), restored.Queue(MessageDirection.Mo));
        var completed = Assert.Single(restored.Apply(Segment(segmented[1], 4)));
        Assert.Equal(new string('y', 200), completed.Message.Content.Text);
    }

    private static void Apply(SubscriberQueues queues, params ISubscriberEvent[] events)
    {
        foreach (var e in events)
            queues.Apply(e);
    }

    private static MessageId Id(int n) => MessageId.Parse($"msg_{n:x32}");

    private static PendingMessage Termination(int n) => Pending(n, MessageDirection.Mt);

    private static PendingMessage Pending(int n, MessageDirection direction) =>
        new(Id(n), direction, new MessageContent(MessageType.Sms, Other, [Did], Did, $"message {n}", []), T0, T0.AddDays(7), 1);

    private static SmsSegmentReceived Segment(SmsSegment segment, int id, DateTimeOffset? at = null) =>
        new(Other, Did, segment.DataCoding, segment.HasUserDataHeader, segment.ShortMessage.ToArray(),
            at ?? T0, Id(id), (at ?? T0).AddDays(7));
}
