using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.TestKit;
using Gateway.Domain.Addressing;
using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;
using Gateway.Domain.Sms;
using Gateway.Engine.Delivery;
using Gateway.Engine.Provisioning;
using Gateway.Engine.Subscribers;
using Xunit.Abstractions;
using static Gateway.Domain.Provisioning.ProvisioningEvents;
using static Gateway.Engine.Subscribers.SubscriberProtocol;

namespace Gateway.Engine.Tests.Subscribers;

/// <summary>
/// Behaviour of one subscriber entity on virtual time (Akka's TestScheduler): 30 s retries and 7-day
/// expiry run in milliseconds. The in-memory journal keeps what the entity persisted across restarts
/// of the entity within one spec.
/// </summary>
[Collection(SubscriberEntityCollection.Name)]
public sealed class SubscriberEntitySpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config SpecConfig = ConfigurationFactory.ParseString("""
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        akka.loglevel = INFO
        """).WithFallback(GatedMemoryJournal.Config);

    private static readonly SubscriberSettings Settings = new(
        RetryInterval: TimeSpan.FromSeconds(30),
        MessageTtl: TimeSpan.FromDays(7),
        EgressInterval: TimeSpan.FromSeconds(1),
        ReassemblyTimeout: TimeSpan.FromMinutes(5),
        PassivateAfter: TimeSpan.FromMinutes(2),
        LaneIdleAfter: TimeSpan.FromSeconds(5),
        SnapshotEvery: 1000,
        Shards: 10,
        AcceptTimeout: TimeSpan.FromSeconds(5),
        AcceptReplyGrace: TimeSpan.FromSeconds(2));

    private const string Handset = "+19465550001";
    private const string Did = "+19465559040";
    private const string Other = "+12145555273";

    private readonly ProvisioningDirectory _directory = new();
    private readonly FakeNetwork _network;
    private readonly FakeWebhook _webhook;
    private readonly TestScheduler _scheduler;
    private readonly DateTimeOffset _t0;

    public SubscriberEntitySpecs(ITestOutputHelper output) : base(SpecConfig, "subscriber-specs", output)
    {
        _scheduler = (TestScheduler)Sys.Scheduler;
        _t0 = _scheduler.Now;
        _network = new FakeNetwork(_scheduler);
        _webhook = new FakeWebhook(_scheduler);
        var catalog = Catalog.Empty
            .Apply(new PartnerSaved(Samples.Partner()))
            .Apply(new SubscriberSaved(Samples.Subscriber("s1", Handset, Did)));
        _directory.Reset(catalog, 2);
        _directory.MarkLoaded();
    }

    [Fact]
    public void SubscriberEntity_should_not_fail_a_message_while_the_catalog_is_not_loaded()
    {
        var directory = new ProvisioningDirectory();
        var entity = Sys.ActorOf(SubscriberEntity.Props(new SubscriberId("s1"), Settings, directory, _network, _webhook));
        entity.Tell(new AcceptTermination("s1", Sms("early")));
        ExpectMsg<Accepted>();
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Empty(_network.Calls);

        directory.Reset(_directory.Catalog, 2);
        directory.MarkLoaded();

        AwaitAssert(() => Assert.Single(_network.Calls));
    }

    [Fact]
    public void SubscriberEntity_should_not_fail_a_recovered_message_while_the_catalog_is_not_loaded()
    {
        var entity = StartEntity();
        _network.Script(DeliveryOutcome.Temporary("handset unreachable"));
        var id = Accept(entity, "queued");
        AwaitAssert(() => Assert.Single(_network.Calls));
        Watch(entity);
        Sys.Stop(entity);
        ExpectTerminated(entity);

        // the node starts again: the entity recovers before the directory has read the catalog
        var directory = new ProvisioningDirectory();
        Sys.ActorOf(SubscriberEntity.Props(new SubscriberId("s1"), Settings, directory, _network, _webhook));
        _scheduler.Advance(Settings.RetryInterval);
        Thread.Sleep(TimeSpan.FromMilliseconds(200));
        Assert.Single(_network.Calls);

        directory.Reset(_directory.Catalog, 2);
        directory.MarkLoaded();

        // the restarted entity may recover only now on a busy machine: its retry is due by then
        AwaitAssert(() => Assert.Equal(2, _network.Calls.Count), TimeSpan.FromSeconds(15));
        Assert.Equal(id, _network.Calls[1].Submission.Id);
        Assert.DoesNotContain(Events().OfType<DeliveryAttempted>(), attempted => attempted.Outcome.Result == DeliveryResult.PermanentFailure);
    }

    [Fact]
    public void SubscriberEntity_should_read_the_journal_before_delivering_for_a_subscriber_this_node_has_not_read_yet()
    {
        // provisioned through another node a moment ago: journaled, not yet read by this node's directory
        var follower = StartFollower(directory =>
            directory.Apply(3, new SubscriberSaved(Samples.Subscriber("s2", "+19465550002", "+19465559042"))));
        var entity = StartEntity("s2");

        entity.Tell(new AcceptTermination("s2", Sms("hello")));
        ExpectMsg<Accepted>();

        AwaitAssert(() => Assert.Single(_network.Calls));
        Assert.Equal("+19465550002", _network.Calls.Single().Submission.Handset.Value);
        Assert.Equal(1, follower.Reads);
    }

    [Fact]
    public void SubscriberEntity_should_read_the_journal_before_accepting_an_origination_for_a_subscriber_this_node_has_not_read_yet()
    {
        var catalog = _directory.Catalog
            .Apply(new RecordingServerSaved(Samples.RecordingServer("rs1")))
            .Apply(new GroupSaved(Samples.Group("g1", "rs1")));
        _directory.Reset(catalog, 4);
        var follower = StartFollower(directory =>
            directory.Apply(5, new SubscriberSaved(Samples.Subscriber("s2", "+19465550002", "+19465559042", groupId: "g1"))));
        var entity = StartEntity("s2");

        entity.Tell(new ReceiveMms("s2", [Other], "hello", []));

        // accepted (not refused as unknown), owned by s2's DID, and copied: the copy is journaled with the message
        ExpectMsg<Accepted>();
        var accepted = Assert.Single(Events("s2").OfType<MessageAccepted>());
        Assert.Equal("+19465559042", accepted.Message.Content.Owner);
        var copy = Assert.Single(JournaledCopies("s2"));
        Assert.Equal((accepted.Message.Id, "s2"), (copy.MessageId, copy.Subscriber.SubrId));
        Assert.Equal(1, follower.Reads);
    }

    [Fact]
    public void SubscriberEntity_should_fail_a_message_for_good_only_when_the_journal_confirms_its_subscriber_is_gone()
    {
        var follower = StartFollower(_ => { });
        var entity = StartEntity();
        _network.Script(DeliveryOutcome.Temporary("handset unreachable"));
        var id = Accept(entity, "to a subscriber about to be deleted");
        AwaitAssert(() => Assert.Single(_network.Calls));
        _directory.Apply(3, new SubscriberDeleted(new SubscriberId("s1")));

        AdvanceUntil(() => Queue(entity).Mt.Count == 0, TimeSpan.FromSeconds(1), Settings.RetryInterval * 2);

        var last = Events().OfType<DeliveryAttempted>().Last();
        Assert.Equal(id, last.Id);
        Assert.Equal(DeliveryResult.PermanentFailure, last.Outcome.Result);
        Assert.Contains("no longer provisioned", last.Outcome.Error);
        Assert.Single(_network.Calls);
        Assert.Equal(1, follower.Reads);
    }

    [Fact]
    public void SubscriberEntity_should_retry_rather_than_fail_when_the_journal_cannot_be_read_to_confirm_a_missing_subscriber()
    {
        var follower = StartFollower(_ => { }, failReads: 1);
        var entity = StartEntity();
        _network.Script(DeliveryOutcome.Temporary("handset unreachable"));
        var id = Accept(entity, "first");
        AwaitAssert(() => Assert.Single(_network.Calls));
        _directory.Apply(3, new SubscriberDeleted(new SubscriberId("s1")));

        // the retry finds s1 missing and the journal unreadable: a temporary outcome, still queued
        AdvanceUntil(() => follower.Reads == 1, TimeSpan.FromSeconds(1), Settings.RetryInterval * 2);
        AwaitAssert(() =>
        {
            var head = Assert.Single(Queue(entity).Mt);
            Assert.Equal((id, 2), (head.Id, head.Attempts));
        });
        Assert.DoesNotContain(Events().OfType<DeliveryAttempted>(), attempted => attempted.Outcome.Result == DeliveryResult.PermanentFailure);

        // the next retry reads the journal, which confirms the deletion
        AdvanceUntil(() => Queue(entity).Mt.Count == 0, TimeSpan.FromSeconds(1), Settings.RetryInterval * 2);
        Assert.Equal(DeliveryResult.PermanentFailure, Events().OfType<DeliveryAttempted>().Last().Outcome.Result);
        Assert.Equal(2, follower.Reads);
    }

    [Fact]
    public void SubscriberEntity_should_answer_accepted_only_after_journaling_and_deliver_to_the_handset()
    {
        var entity = StartEntity();

        var accepted = Accept(entity, "Hello");

        AwaitAssert(() => Assert.Single(_network.Calls));
        var call = _network.Calls.Single();
        Assert.Equal(accepted, call.Submission.Id);
        Assert.Equal(Handset, call.Submission.Handset.Value);
        Assert.Equal("Hello", Assert.Single(call.Submission.Segments!.Segments).DecodeText());
        Assert.Equal(_t0, call.At);
        AwaitAssert(() => Assert.Empty(Queue(entity).Mt));
    }

    [Fact]
    public void SubscriberEntity_should_send_a_long_sms_as_concatenated_segments()
    {
        var entity = StartEntity();

        Accept(entity, new string('a', 161));

        AwaitAssert(() => Assert.Single(_network.Calls));
        var segments = _network.Calls.Single().Submission.Segments!;
        Assert.Equal(2, segments.Count);
        Assert.Equal(segments[0].Concatenation!.Value.Reference, segments[1].Concatenation!.Value.Reference);
    }

    [Fact]
    public void SubscriberEntity_should_deliver_in_order_no_closer_than_the_egress_interval()
    {
        var entity = StartEntity();
        var ids = Enumerable.Range(1, 5).Select(i => Accept(entity, $"message {i}")).ToList();

        AdvanceUntil(() => _network.Calls.Count == 5, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));

        Assert.Equal(ids, _network.Calls.Select(c => c.Submission.Id));
        var times = _network.Calls.Select(c => c.At).ToList();
        Assert.Equal(_t0, times[0]);
        for (var i = 1; i < times.Count; i++)
            Assert.Equal(TimeSpan.FromSeconds(1), times[i] - times[i - 1]);
    }

    [Fact]
    public void An_idle_lane_should_stop_and_a_restarted_one_should_still_keep_the_egress_interval()
    {
        // lanes stop after 300 ms idle, sooner than the 1-s egress interval: the pacing must outlive them
        var settings = Settings with { LaneIdleAfter = TimeSpan.FromMilliseconds(300) };
        var entity = Sys.ActorOf(SubscriberEntity.Props(new SubscriberId("s1"), settings, _directory, _network, _webhook));
        Accept(entity, "first");
        AwaitAssert(() => Assert.Single(_network.Calls));
        Settle();
        Assert.Equal(1, RunningLanes());

        AdvanceBy(TimeSpan.FromMilliseconds(500));
        AwaitAssert(() => Assert.Equal(0, RunningLanes()));

        Accept(entity, "second");
        AwaitAssert(() => Assert.Equal(1, RunningLanes()));
        AdvanceUntil(() => _network.Calls.Count == 2, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(1), _network.Calls[1].At - _network.Calls[0].At);
    }

    [Fact]
    public void A_lane_with_messages_arriving_within_its_idle_time_should_keep_running()
    {
        var entity = StartEntity();
        Accept(entity, "first");
        AwaitAssert(() => Assert.Single(_network.Calls));

        for (var i = 0; i < 3; i++)
        {
            AdvanceBy(Settings.LaneIdleAfter - TimeSpan.FromSeconds(2));
            Accept(entity, $"next {i}");
            AdvanceUntil(() => _network.Calls.Count == i + 2, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
            Assert.Equal(1, RunningLanes());
        }

        AdvanceBy(Settings.LaneIdleAfter + TimeSpan.FromSeconds(1));
        AwaitAssert(() => Assert.Equal(0, RunningLanes()));
    }

    [Fact]
    public void Outcomes_beyond_the_nodes_unjournaled_limit_should_wait_and_hold_back_their_lanes_next_attempt()
    {
        var catalog = _directory.Catalog.Apply(new SubscriberSaved(Samples.Subscriber("s2", "+19465550002", "+19465559041")));
        _directory.Reset(catalog, 3);
        var permits = new DeliveryPermits(1);
        var first = Sys.ActorOf(SubscriberEntity.Props(new SubscriberId("s1"), Settings, _directory, _network, _webhook, permits));
        var second = Sys.ActorOf(SubscriberEntity.Props(new SubscriberId("s2"), Settings, _directory, _network, _webhook, permits));
        var network = _network.HoldAll();
        first.Tell(new AcceptTermination("s1", Sms("one")));
        ExpectMsg<Accepted>();
        second.Tell(new AcceptTermination("s2", Sms("two")));
        ExpectMsg<Accepted>();
        second.Tell(new AcceptTermination("s2", Sms("three")));
        ExpectMsg<Accepted>();
        AwaitAssert(() => Assert.Equal(2, _network.Calls.Count));

        // both attempts end while the journal does not answer: one outcome takes the only permit
        // and its entity waits for the write (answering nothing meanwhile); the other outcome waits
        // for the permit, so its entity writes nothing and still answers, and its lane tries nothing more
        GatedMemoryJournal.Close();
        network.SetResult();
        AwaitAssert(() => Assert.Equal(0, permits.Available));
        AdvanceBy(TimeSpan.FromSeconds(5));
        Assert.Equal(2, _network.Calls.Count);
        first.Tell(new GetQueue("s1"));
        second.Tell(new GetQueue("s2"));
        ExpectMsg<QueueView>();
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        GatedMemoryJournal.Open();
        _network.HoldAll().SetResult();
        AdvanceUntil(() => _network.Calls.Count == 3, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
        AwaitAssert(() => Assert.Equal(0, Queue(second).Mt.Count + Queue(first).Mt.Count));
        Assert.Equal(1, permits.Available);
    }

    [Fact]
    public void An_entity_stopping_with_an_outcome_not_journaled_should_give_its_permit_back()
    {
        var permits = new DeliveryPermits(1);
        var entity = Sys.ActorOf(SubscriberEntity.Props(new SubscriberId("s1"), Settings, _directory, _network, _webhook, permits));
        var network = _network.HoldAll();
        Accept(entity, "one");
        AwaitAssert(() => Assert.Single(_network.Calls));
        GatedMemoryJournal.Close();
        network.SetResult();
        AwaitAssert(() => Assert.Equal(0, permits.Available));

        Watch(entity);
        Sys.Stop(entity);
        ExpectTerminated(entity);

        Assert.Equal(1, permits.Available);
        GatedMemoryJournal.Open();
    }

    [Fact]
    public void Two_subscribers_should_be_paced_independently()
    {
        var catalog = _directory.Catalog.Apply(new SubscriberSaved(Samples.Subscriber("s2", "+19465550002", "+19465559041")));
        _directory.Reset(catalog, 3);
        var first = StartEntity("s1");
        var second = StartEntity("s2");

        Accept(first, "one");
        Accept(second, "two");

        AwaitAssert(() => Assert.Equal(2, _network.Calls.Count));
        Assert.All(_network.Calls, c => Assert.Equal(_t0, c.At));
    }

    [Fact]
    public void A_temporary_failure_should_retry_the_head_every_interval_while_newer_messages_wait()
    {
        _network.Script(DeliveryOutcome.Temporary("handset unreachable"), DeliveryOutcome.Temporary("handset unreachable"));
        var entity = StartEntity();
        var first = Accept(entity, "first");
        var second = Accept(entity, "second");

        AwaitAssert(() => Assert.Single(_network.Calls));
        AwaitAssert(() =>
        {
            var queue = Queue(entity);
            Assert.Equal([first, second], queue.Mt.Select(i => i.Id));
            Assert.Equal(MessageStatus.Queued, queue.Mt[0].Status);
            Assert.Equal(1, queue.Mt[0].Attempts);
            Assert.Equal(_t0 + TimeSpan.FromSeconds(30), queue.Mt[0].NextAttemptAt);
            Assert.Equal(MessageStatus.Queued, queue.Mt[1].Status); // behind a stored message
        });

        AdvanceUntil(() => _network.Calls.Count == 4, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));

        Assert.Equal([first, first, first, second], _network.Calls.Select(c => c.Submission.Id));
        Assert.Equal(
            [_t0, _t0.AddSeconds(30), _t0.AddSeconds(60), _t0.AddSeconds(61)],
            _network.Calls.Select(c => c.At));
    }

    [Fact]
    public void A_termination_with_a_chosen_id_should_be_queued_once_however_often_it_is_sent()
    {
        _network.FailAlways(DeliveryOutcome.Temporary("handset unreachable"));
        var entity = StartEntity();
        var chosen = MessageId.New(_t0);

        // Three sends in a row: the second and third arrive while the first is being journaled.
        for (var i = 0; i < 3; i++)
            entity.Tell(new AcceptTermination("s1", Sms("once"), chosen));
        for (var i = 0; i < 3; i++)
            Assert.Equal(chosen, ExpectMsg<Accepted>().Id);
        AwaitAssert(() => Assert.Single(_network.Calls));

        // And once it is queued.
        entity.Tell(new AcceptTermination("s1", Sms("once"), chosen));
        Assert.Equal(chosen, ExpectMsg<Accepted>().Id);
        Assert.Equal([chosen], Queue(entity).Mt.Select(i => i.Id));
    }

    [Fact]
    public void A_queued_message_should_be_looked_up_with_its_live_status_and_a_gone_one_not_at_all()
    {
        _network.Script(DeliveryOutcome.Temporary("handset unreachable"));
        var entity = StartEntity();
        var first = Accept(entity, "first");
        var second = Accept(entity, "second");
        AwaitAssert(() => Assert.Single(_network.Calls));

        AwaitAssert(() =>
        {
            entity.Tell(new GetMessage("s1", first));
            var head = ExpectMsg<MessageLookup>().Message!;
            Assert.Equal((MessageStatus.Queued, 1, "handset unreachable", _t0), (head.Status, head.Attempts, head.LastError, head.UpdatedAt));
        });
        entity.Tell(new GetMessage("s1", second));
        var behind = ExpectMsg<MessageLookup>().Message!;
        Assert.Equal((MessageStatus.Queued, 0, MessageDirection.Mt, "s1"), (behind.Status, behind.Attempts, behind.Direction, behind.SubscriberId));

        AdvanceUntil(() => _network.Calls.Count == 3, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        AwaitAssert(() =>
        {
            entity.Tell(new GetMessage("s1", first));
            Assert.Null(ExpectMsg<MessageLookup>().Message);
        });
    }

    [Fact]
    public void A_message_should_expire_after_the_ttl_and_let_the_next_one_through()
    {
        _network.FailAlways(DeliveryOutcome.Temporary("handset unreachable"));
        var entity = StartEntity();
        var first = Accept(entity, "first");
        AwaitAssert(() => Assert.Single(_network.Calls));
        _scheduler.Advance(TimeSpan.FromDays(1));
        var second = Accept(entity, "second");

        // 7 days of 30 s retries, in steps the entity keeps up with
        AdvanceUntil(() => Queue(entity).Mt.FirstOrDefault()?.Id == second, TimeSpan.FromMinutes(30), TimeSpan.FromDays(7));

        var attemptsOfFirst = _network.Calls.Count(c => c.Submission.Id == first);
        Assert.InRange(attemptsOfFirst, 2, 7 * 24 * 120 + 1);
        Assert.True(_network.Calls.Where(c => c.Submission.Id == first).All(c => c.At < _t0 + TimeSpan.FromDays(7)));
        Assert.True(_scheduler.Now >= _t0 + TimeSpan.FromDays(7));
    }

    [Fact]
    public void A_permanent_failure_should_drop_the_message_without_retrying()
    {
        _network.Script(DeliveryOutcome.Permanent("refused by the network"));
        var entity = StartEntity();
        var first = Accept(entity, "first");
        var second = Accept(entity, "second");

        AdvanceUntil(() => _network.Calls.Count == 2, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));
        _scheduler.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal([first, second], _network.Calls.Select(c => c.Submission.Id));
        AwaitAssert(() => Assert.Empty(Queue(entity).Mt));
    }

    [Fact]
    public void A_restarted_entity_should_resume_where_it_stopped()
    {
        _network.FailAlways(DeliveryOutcome.Temporary("handset unreachable"));
        var entity = StartEntity();
        var first = Accept(entity, "first");
        var second = Accept(entity, "second");
        AwaitAssert(() => Assert.Single(_network.Calls));
        AwaitAssert(() => Assert.Equal(1, Queue(entity).Mt[0].Attempts));

        Watch(entity);
        Sys.Stop(entity);
        ExpectTerminated(entity);
        _network.DeliverFromNowOn();
        var restarted = StartEntity();

        var queue = Queue(restarted);
        Assert.Equal([first, second], queue.Mt.Select(i => i.Id));
        Assert.Equal(1, queue.Mt[0].Attempts);
        // The recovered entity's lane is materialized and arms its delay asynchronously; on a loaded
        // machine that took longer than a few virtual seconds of AdvanceUntil's steps (the retry then
        // went out late). Let it arm first: virtual time has not moved yet.
        Thread.Sleep(TimeSpan.FromMilliseconds(500));
        // the stored message is retried at its time, then the next one follows
        AdvanceUntil(() => _network.Calls.Count == 3, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal([first, first, second], _network.Calls.Select(c => c.Submission.Id));
        Assert.Equal(_t0.AddSeconds(30), _network.Calls[1].At);
    }

    [Fact]
    public void An_origination_should_reach_the_partner_webhook_with_the_subscribers_did()
    {
        var entity = StartEntity();

        entity.Tell(new ReceiveMms("s1", [Other, "+13125550000"], "group hello", []));
        var id = ExpectMsg<Accepted>().Id!.Value;

        AwaitAssert(() => Assert.Single(_webhook.Calls));
        var call = _webhook.Calls.Single();
        Assert.Equal(id, call.Message.Id);
        Assert.Equal(Did, call.Message.Content.From);
        Assert.Equal(Did, call.Message.Content.Owner);
        Assert.Equal([Other, "+13125550000"], call.Message.Content.To);
        Assert.Equal("https://p1.example/hook", call.Target.PrimaryUrl.ToString());
    }

    [Fact]
    public void Sms_segments_from_the_handset_should_be_reassembled_in_any_order_into_one_origination()
    {
        var entity = StartEntity();
        Assert.True(SmsSegmenter.TrySegment("Hello 😀 " + new string('x', 100), 7, out var segmented, out _));
        var parts = segmented.Segments.Reverse().ToList();

        Assert.Null(Send(entity, parts[0]).Id);
        var completed = Send(entity, parts[1]).Id;

        Assert.NotNull(completed);
        AwaitAssert(() => Assert.Single(_webhook.Calls));
        var message = _webhook.Calls.Single().Message;
        Assert.Equal(completed, message.Id);
        Assert.Equal("Hello 😀 " + new string('x', 100), message.Content.Text);
        Assert.Equal([Other], message.Content.To);
    }

    [Fact]
    public void A_malformed_segment_should_be_refused_and_not_journaled()
    {
        var entity = StartEntity();

        entity.Tell(new ReceiveSmsSegment("s1", Other, DataCodings.Gsm7, true, [0x05, 0x00, 0x03, 0x01, 0x00, 0x01]));

        Assert.Equal("invalid_concatenation", ExpectMsg<Refused>().Code);
    }

    [Fact]
    public void Half_a_concatenated_sms_should_survive_a_restart_of_the_entity()
    {
        var entity = StartEntity();
        Assert.True(SmsSegmenter.TrySegment(new string('y', 200), 9, out var segmented, out _));
        Send(entity, segmented[0]);
        Watch(entity);
        Sys.Stop(entity);
        ExpectTerminated(entity);

        var restarted = StartEntity();
        Assert.NotNull(Send(restarted, segmented[1]).Id);

        AwaitAssert(() => Assert.Equal(new string('y', 200), _webhook.Calls.Single().Message.Content.Text));
    }

    [Fact]
    public void An_incomplete_sms_should_reach_the_partner_after_the_reassembly_timeout_with_a_gap_marker()
    {
        var entity = StartEntity();
        Assert.True(SmsSegmenter.TrySegment(new string('z', 200), 3, out var segmented, out _));
        Send(entity, segmented[1]);

        AdvanceUntil(() => _webhook.Calls.Count == 1, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(6));

        Assert.Equal(SmsReassembler.GapMarker + new string('z', 47), _webhook.Calls.Single().Message.Content.Text);
    }

    [Fact]
    public void An_idle_entity_should_passivate_and_a_busy_one_should_not()
    {
        var parent = CreateTestProbe();
        _network.FailAlways(DeliveryOutcome.Temporary("handset unreachable"));
        var entity = parent.ChildActorOf(SubscriberEntity.Props(new SubscriberId("s1"), Settings, _directory, _network, _webhook));
        entity.Tell(new AcceptTermination("s1", Sms("stored")));
        ExpectMsg<Accepted>();
        AwaitAssert(() => Assert.Single(_network.Calls));

        _scheduler.Advance(TimeSpan.FromMinutes(3));
        parent.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        _network.DeliverFromNowOn();
        AdvanceUntil(() => Queue(entity).Mt.Count == 0, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1));
        // idle now: the receive timeout (virtual) passivates it; the timeout restarts after each message,
        // so keep moving time until the entity has seen its last one
        AwaitAssert(() =>
        {
            _scheduler.Advance(Settings.PassivateAfter);
            parent.ExpectMsg<Passivate>(TimeSpan.FromMilliseconds(200));
        }, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void SubscriberEntity_should_count_accepted_retried_delivered_and_queued_messages()
    {
        var totals = new ConcurrentDictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MessageMetrics.MeterName)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => totals.AddOrUpdate(instrument.Name, value, (_, v) => v + value));
        listener.Start();
        _network.Script(DeliveryOutcome.Temporary("handset unreachable"));
        var entity = StartEntity();

        Accept(entity, "one");
        Accept(entity, "two");
        AdvanceUntil(() => _network.Calls.Count == 3, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        AwaitAssert(() => Assert.Empty(Queue(entity).Mt));

        Assert.Equal(2, totals.GetValueOrDefault("messages.accepted"));
        Assert.Equal(1, totals.GetValueOrDefault("messages.retried"));
        Assert.Equal(2, totals.GetValueOrDefault("messages.delivered"));
        Assert.Equal(0, totals.GetValueOrDefault("messages.queued"));
        Assert.Equal(0, totals.GetValueOrDefault("messages.failed"));
    }

    [Fact]
    public void A_termination_handled_after_its_deadline_should_be_answered_deadline_passed_and_never_journaled()
    {
        var entity = StartEntity();

        entity.Tell(new AcceptTermination("s1", Sms("too late"), AcceptBy: _scheduler.Now));

        Assert.Null(ExpectMsg<DeadlinePassed>().Id);
        Assert.Empty(Queue(entity).Mt);
        var again = Restart(entity);
        Assert.Empty(Queue(again).Mt);
        AdvanceBy(TimeSpan.FromSeconds(3));
        Assert.Empty(_network.Calls);
    }

    [Fact]
    public void A_termination_whose_write_completes_after_its_deadline_should_be_withdrawn_and_never_delivered()
    {
        var entity = StartEntity();
        Accept(entity, "before"); // the entity is running and its mt lane exists
        AdvanceUntil(() => _network.Calls.Count == 1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));

        GatedMemoryJournal.Close();
        entity.Tell(new AcceptTermination("s1", Sms("written too late"), AcceptBy: _scheduler.Now + TimeSpan.FromSeconds(5)));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // the write is held
        _scheduler.Advance(TimeSpan.FromSeconds(5));
        GatedMemoryJournal.Open();

        var withdrawn = ExpectMsg<DeadlinePassed>().Id!.Value;
        Assert.Empty(Queue(entity).Mt);
        var after = Accept(entity, "after");
        AdvanceUntil(() => _network.Calls.Count == 2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        AdvanceBy(TimeSpan.FromSeconds(3));
        Assert.Equal(["before", "after"], _network.Calls.Select(c => c.Submission.Content.Text));
        Assert.Equal(after, _network.Calls[1].Submission.Id);

        // Replay sees the accept and its withdrawal: nothing comes back.
        var again = Restart(entity);
        Assert.Empty(Queue(again).Mt);
        again.Tell(new AwaitAccept("s1", withdrawn));
        Assert.Equal(withdrawn, ExpectMsg<NotQueued>().Id);
        AdvanceBy(TimeSpan.FromSeconds(3));
        Assert.Equal(2, _network.Calls.Count);
    }

    [Fact]
    public void A_write_completing_before_its_deadline_should_be_accepted_and_delivered()
    {
        var entity = StartEntity();
        GatedMemoryJournal.Close();
        entity.Tell(new AcceptTermination("s1", Sms("just in time"), AcceptBy: _scheduler.Now + TimeSpan.FromSeconds(5)));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        _scheduler.Advance(TimeSpan.FromSeconds(4));
        GatedMemoryJournal.Open();

        var id = ExpectMsg<Accepted>().Id!.Value;
        AdvanceUntil(() => _network.Calls.Count == 1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        Assert.Equal(id, _network.Calls.Single().Submission.Id);
    }

    [Fact]
    public void Repeats_and_questions_during_a_late_write_should_all_hear_deadline_passed_and_the_id_then_be_accepted_afresh()
    {
        var entity = StartEntity();
        var chosen = MessageId.New(_scheduler.Now);
        var deadline = _scheduler.Now + TimeSpan.FromSeconds(5);
        var first = CreateTestProbe();
        var repeat = CreateTestProbe();
        var question = CreateTestProbe();

        GatedMemoryJournal.Close();
        entity.Tell(new AcceptTermination("s1", Sms("keyed"), chosen, deadline), first);
        entity.Tell(new AcceptTermination("s1", Sms("keyed"), chosen, deadline + TimeSpan.FromSeconds(1)), repeat);
        entity.Tell(new AwaitAccept("s1", chosen), question);
        question.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        _scheduler.Advance(TimeSpan.FromSeconds(5));
        GatedMemoryJournal.Open();

        Assert.Equal(chosen, first.ExpectMsg<DeadlinePassed>().Id);
        Assert.Equal(chosen, repeat.ExpectMsg<DeadlinePassed>().Id);
        Assert.Equal(chosen, question.ExpectMsg<DeadlinePassed>().Id);
        entity.Tell(new AwaitAccept("s1", chosen));
        ExpectMsg<NotQueued>();

        entity.Tell(new AcceptTermination("s1", Sms("keyed"), chosen, _scheduler.Now + TimeSpan.FromSeconds(5)));
        Assert.Equal(chosen, ExpectMsg<Accepted>().Id);
        AdvanceUntil(() => _network.Calls.Count == 1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        AdvanceBy(TimeSpan.FromSeconds(3));
        Assert.Equal(chosen, _network.Calls.Single().Submission.Id);

        var again = Restart(entity);
        Assert.Empty(Queue(again).Mt);
        AdvanceBy(TimeSpan.FromSeconds(3));
        Assert.Single(_network.Calls);
    }

    [Fact]
    public void A_question_about_a_queued_id_should_be_answered_accepted_and_about_an_unknown_one_not_queued()
    {
        _network.FailAlways(DeliveryOutcome.Temporary("handset unreachable"));
        var entity = StartEntity();
        var queued = Accept(entity, "waiting");

        entity.Tell(new AwaitAccept("s1", queued));
        Assert.Equal(queued, ExpectMsg<Accepted>().Id);
        var unknown = MessageId.New(_scheduler.Now);
        entity.Tell(new AwaitAccept("s1", unknown));
        Assert.Equal(unknown, ExpectMsg<NotQueued>().Id);
    }

    [Fact]
    public void A_passivated_entity_should_come_back_with_its_next_message()
    {
        var parent = CreateTestProbe();
        var props = SubscriberEntity.Props(new SubscriberId("s1"), Settings, _directory, _network, _webhook);
        var entity = parent.ChildActorOf(props);
        entity.Tell(new AcceptTermination("s1", Sms("before")));
        ExpectMsg<Accepted>();
        AwaitAssert(() => Assert.Single(_network.Calls));
        AwaitAssert(() =>
        {
            _scheduler.Advance(Settings.PassivateAfter);
            parent.ExpectMsg<Passivate>(TimeSpan.FromMilliseconds(200));
        }, TimeSpan.FromSeconds(5));
        Watch(entity);
        Sys.Stop(entity);
        ExpectTerminated(entity);

        var again = parent.ChildActorOf(props);
        again.Tell(new AcceptTermination("s1", Sms("after")));
        ExpectMsg<Accepted>();

        AdvanceUntil(() => _network.Calls.Count == 2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        Assert.Equal(["before", "after"], _network.Calls.Select(c => c.Submission.Content.Text));
    }

    // ---- Message Copy capture (CONTRACT §6): a copy journaled with what it copies, once per message

    [Fact]
    public void A_termination_delivered_to_the_handset_should_carry_one_copy_when_the_group_has_message_copy_on()
    {
        EnableMessageCopy();
        _network.Script(DeliveryOutcome.Temporary("handset unreachable"));
        var entity = StartEntity();

        var id = Accept(entity, "Hello 😀");
        AdvanceUntil(() => _network.Calls.Count == 2, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        AwaitAssert(() => Assert.Empty(Queue(entity).Mt));

        var copy = Assert.Single(JournaledCopies());
        Assert.Equal((id, MessageDirection.Mt, "rs1"), (copy.MessageId, copy.Direction, copy.RecordingServerId.Value));
        Assert.Equal(new CopySubscriber("acme.example", Handset, Did, "s1"), copy.Subscriber);
        Assert.Equal((MessageType.Sms, Other, Did, "Hello 😀"), (copy.Content.Type, copy.Content.From, copy.Content.Owner, copy.Content.Text));
        Assert.Equal([Did], copy.Content.To);
        Assert.Equal(Other, copy.OtherParty());
        Assert.Equal(_network.Calls[1].At, copy.CapturedAt); // when it was delivered, not at the failed attempt
        Assert.IsType<DeliveryAttempted>(Events().Single(e => CapturedCopies.In((ISubscriberEvent)e).Count > 0));
    }

    [Fact]
    public void A_redelivery_after_the_delivery_record_was_lost_should_not_take_a_second_copy()
    {
        EnableMessageCopy();
        var entity = StartEntity();
        var first = Accept(entity, "once");
        var second = Accept(entity, "twice on the air");
        AwaitAssert(() => Assert.Single(_network.Calls));
        AwaitAssert(() => Assert.Single(JournaledCopies()));

        // The handset gets the second message, but the write of its delivery (and copy) fails, as in a
        // crash: the entity stops; restarted, it delivers again (at least once), journaling one copy.
        GatedMemoryJournal.Close();
        Watch(entity);
        _scheduler.Advance(TimeSpan.FromSeconds(1));
        AwaitAssert(() => Assert.Equal(2, _network.Calls.Count));
        GatedMemoryJournal.FailWrites();
        GatedMemoryJournal.ReleaseHeld();
        ExpectTerminated(entity);
        GatedMemoryJournal.Open();
        var restarted = StartEntity();
        Thread.Sleep(TimeSpan.FromMilliseconds(300)); // let the recovered lane arm (see A_restarted_entity_should_resume_where_it_stopped)
        AdvanceUntil(() => _network.Calls.Count == 3, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        AwaitAssert(() => Assert.Empty(Queue(restarted).Mt));

        Assert.Equal([first, second, second], _network.Calls.Select(c => c.Submission.Id));
        Assert.Equal([first, second], JournaledCopies().Select(c => c.MessageId));
    }

    [Fact]
    public void Originations_should_be_copied_when_whole_from_the_network_sms_once_its_last_segment_arrives()
    {
        EnableMessageCopy();
        var entity = StartEntity();

        entity.Tell(new ReceiveMms("s1", [Other, "+13125550000"], "group hello", [new MediaItem("image/png", "a.png", [1, 2, 3])]));
        var mms = ExpectMsg<Accepted>().Id!.Value;
        Assert.True(SmsSegmenter.TrySegment("Long one " + new string('x', 200), 5, out var segmented, out _));
        Assert.Null(Send(entity, segmented[1]).Id);
        Assert.Single(JournaledCopies());
        var sms = Send(entity, segmented[0]).Id!.Value;

        var copies = JournaledCopies();
        Assert.Equal([(mms, MessageType.Mms), (sms, MessageType.Sms)], copies.Select(c => (c.MessageId, c.Content.Type)));
        Assert.All(copies, c => Assert.Equal(MessageDirection.Mo, c.Direction));
        Assert.Equal(Other, copies[0].OtherParty()); // the first recipient of a group MMS
        Assert.Equal([Other, "+13125550000"], copies[0].Content.To);
        Assert.Equal([1, 2, 3], copies[0].Content.Media.Single().Content);
        Assert.Equal("Long one " + new string('x', 200), copies[1].Content.Text);
        Assert.Equal(Did, copies[1].Content.From);
        Assert.Equal(Other, copies[1].OtherParty());
        // The copy says what the partner gets.
        AdvanceUntil(() => _webhook.Calls.Count == 2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        Assert.Equal(_webhook.Calls.Select(c => c.Message.Content.Text), copies.Select(c => c.Content.Text));
        Assert.Equal(_webhook.Calls.Select(c => c.Message.Content.To), copies.Select(c => c.Content.To));
    }

    [Fact]
    public void An_sms_given_up_on_after_the_reassembly_timeout_should_be_copied_as_the_partner_gets_it()
    {
        EnableMessageCopy();
        var entity = StartEntity();
        Assert.True(SmsSegmenter.TrySegment(new string('z', 200), 3, out var segmented, out _));
        Send(entity, segmented[1]);

        AdvanceUntil(() => _webhook.Calls.Count == 1, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(6));

        var copy = Assert.Single(JournaledCopies());
        Assert.Equal(_webhook.Calls.Single().Message.Id, copy.MessageId);
        Assert.Equal(SmsReassembler.GapMarker + new string('z', 47), copy.Content.Text);
        Assert.IsType<ReassemblyExpired>(Events().Single(e => CapturedCopies.In((ISubscriberEvent)e).Count > 0));
    }

    [Fact]
    public void Turning_message_copy_off_should_stop_new_copies_and_a_group_without_it_should_take_none()
    {
        EnableMessageCopy();
        var entity = StartEntity();
        Accept(entity, "copied");
        AwaitAssert(() => Assert.Single(_network.Calls));
        AwaitAssert(() => Assert.Single(JournaledCopies()));

        _directory.Apply(_directory.SequenceNr + 1, new GroupSaved(Samples.Group("g1")));
        _scheduler.Advance(TimeSpan.FromSeconds(1));
        Accept(entity, "not copied");
        entity.Tell(new ReceiveMms("s1", [Other], "nor this", []));
        ExpectMsg<Accepted>();
        AwaitAssert(() => Assert.Equal(2, _network.Calls.Count));
        AwaitAssert(() => Assert.Single(_webhook.Calls));
        Settle();

        Assert.Equal(["copied"], JournaledCopies().Select(c => c.Content.Text));
    }

    /// <summary>Puts s1 in group g1, whose Message Copy goes to recording server rs1.</summary>
    [Fact]
    public void A_hand_off_should_let_the_delivery_under_way_finish_and_journal_it_before_the_entity_stops()
    {
        var held = _webhook.HoldNext();
        var entity = StartEntity();
        entity.Tell(new ReceiveMms("s1", [Other], "in flight", []));
        var inFlight = ExpectMsg<Accepted>().Id!.Value;
        AwaitAssert(() => Assert.Single(_webhook.Calls));

        Watch(entity);
        entity.Tell(SubscriberEntity.HandOff.Instance);
        // still the entity while the partner has not answered: a message arriving now is journaled and answered
        entity.Tell(new ReceiveMms("s1", [Other], "during the hand-off", []));
        var waiting = ExpectMsg<Accepted>().Id!.Value;
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        held.SetResult(DeliveryOutcome.Delivered);
        ExpectTerminated(entity);
        Assert.Contains(Events().OfType<DeliveryAttempted>(),
            e => e.Id == inFlight && e.Outcome.Result == DeliveryResult.Delivered);
        Assert.Single(_webhook.Calls); // the next head was not offered while handing off

        // the entity on the next node delivers only what was left
        var next = StartEntity();
        Thread.Sleep(TimeSpan.FromMilliseconds(500)); // let the recovered lane arm its delay (see A_restarted_entity_should_resume)
        AdvanceUntil(() => _webhook.Calls.Count == 2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        Assert.Equal([inFlight, waiting], _webhook.Calls.Select(c => c.Message.Id));
        AwaitAssert(() => Assert.Empty(Queue(next).Mo));
    }

    [Fact]
    public void A_hand_off_should_stop_at_once_when_the_head_only_waits_and_the_next_entity_retries_it_on_time()
    {
        _network.FailAlways(DeliveryOutcome.Temporary("handset unreachable"));
        var entity = StartEntity();
        var first = Accept(entity, "first");
        AwaitAssert(() => Assert.Equal(1, Queue(entity).Mt[0].Attempts));

        // the head waits 30 s (virtual) for its retry: the hand-off does not wait for it
        Watch(entity);
        entity.Tell(SubscriberEntity.HandOff.Instance);
        ExpectTerminated(entity);

        _network.DeliverFromNowOn();
        StartEntity();
        Thread.Sleep(TimeSpan.FromMilliseconds(500));
        AdvanceUntil(() => _network.Calls.Count == 2, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal([first, first], _network.Calls.Select(c => c.Submission.Id));
        Assert.Equal(_t0.AddSeconds(30), _network.Calls[1].At);
    }

    private void EnableMessageCopy()
    {
        var catalog = _directory.Catalog
            .Apply(new RecordingServerSaved(Samples.RecordingServer("rs1")))
            .Apply(new GroupSaved(Samples.Group("g1", "rs1")))
            .Apply(new SubscriberSaved(Samples.Subscriber("s1", Handset, Did, groupId: "g1")));
        _directory.Reset(catalog, _directory.SequenceNr + 3);
    }

    private static IReadOnlyList<object> Events(string subscriberId = "s1") => GatedMemoryJournal.EventsOf("subscriber-" + subscriberId);

    private static IReadOnlyList<MessageCopy> JournaledCopies(string subscriberId = "s1") =>
        [.. Events(subscriberId).OfType<ISubscriberEvent>().SelectMany(CapturedCopies.In)];

    /// <summary>
    /// This node's directory follower as the entity sees it: asked to read the journal now, it applies
    /// what the journal holds beyond the directory (<paramref name="journalBeyondDirectory"/>) and answers.
    /// </summary>
    private FakeFollower StartFollower(Action<ProvisioningDirectory> journalBeyondDirectory, int failReads = 0)
    {
        var follower = new FakeFollower(_directory, journalBeyondDirectory, failReads);
        Sys.ActorOf(Props.Create(() => new FakeFollowerActor(follower)), ProvisioningDirectoryFollower.Name);
        return follower;
    }

    private sealed class FakeFollower(ProvisioningDirectory directory, Action<ProvisioningDirectory> journalBeyondDirectory, int failReads)
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public ProvisioningProtocol.JournalRead Read()
        {
            if (Interlocked.Increment(ref _reads) <= failReads)
                return new ProvisioningProtocol.JournalRead(false, directory.SequenceNr);
            journalBeyondDirectory(directory);
            return new ProvisioningProtocol.JournalRead(true, directory.SequenceNr);
        }
    }

    private sealed class FakeFollowerActor : ReceiveActor
    {
        public FakeFollowerActor(FakeFollower follower) =>
            Receive<ProvisioningProtocol.ReadJournalNow>(_ => Sender.Tell(follower.Read()));
    }

    /// <summary>The lanes' stream actors running in this spec's system (each lane is one fused graph).</summary>
    private int RunningLanes()
    {
        var identities = new List<ActorIdentity>();
        Sys.ActorSelection("/user/*/flow-*").Tell(new Identify(null), TestActor);
        Sys.ActorSelection("/system/*/flow-*").Tell(new Identify(null), TestActor);
        while (ReceiveOne(TimeSpan.FromMilliseconds(300)) is ActorIdentity identity)
            identities.Add(identity);
        return identities.Count(i => i.Subject is not null);
    }

    private IActorRef StartEntity(string subscriberId = "s1") =>
        Sys.ActorOf(SubscriberEntity.Props(new SubscriberId(subscriberId), Settings, _directory, _network, _webhook));

    protected override void AfterAll()
    {
        GatedMemoryJournal.Open(); // a failed spec must not leave the next one's journal closed
        base.AfterAll();
    }

    /// <summary>Stops the entity and starts it again from its journal.</summary>
    private IActorRef Restart(IActorRef entity, string subscriberId = "s1")
    {
        Watch(entity);
        Sys.Stop(entity);
        ExpectTerminated(entity);
        return StartEntity(subscriberId);
    }

    private MessageId Accept(IActorRef entity, string text)
    {
        entity.Tell(new AcceptTermination("s1", Sms(text)));
        return ExpectMsg<Accepted>().Id!.Value;
    }

    private Accepted Send(IActorRef entity, SmsSegment segment)
    {
        entity.Tell(new ReceiveSmsSegment("s1", Other, segment.DataCoding, segment.HasUserDataHeader, segment.ShortMessage.ToArray()));
        return ExpectMsg<Accepted>();
    }

    private QueueView Queue(IActorRef entity)
    {
        entity.Tell(new GetQueue("s1"));
        return ExpectMsg<QueueView>();
    }

    private static MessageContent Sms(string text) => new(MessageType.Sms, Other, [Did], Did, text, []);

    /// <summary>
    /// Moves virtual time forward in <paramref name="step"/>s, letting the entity catch up after each,
    /// until <paramref name="done"/> holds or <paramref name="limit"/> of virtual time has passed.
    /// </summary>
    private void AdvanceUntil(Func<bool> done, TimeSpan step, TimeSpan limit)
    {
        var end = _scheduler.Now + limit;
        while (true)
        {
            Settle();
            if (done())
                return;
            if (_scheduler.Now >= end)
            {
                // the last step may still be in flight on a busy machine
                AwaitCondition(done, TimeSpan.FromSeconds(5), $"Still not done after {limit} of virtual time.");
                return;
            }
            _scheduler.Advance(step);
        }
    }

    /// <summary>Moves virtual time forward second by second, letting the entity act after each step.</summary>
    private void AdvanceBy(TimeSpan total)
    {
        for (var moved = TimeSpan.Zero; moved < total; moved += TimeSpan.FromSeconds(1))
        {
            Settle();
            _scheduler.Advance(TimeSpan.FromSeconds(1));
        }
        Settle();
    }

    /// <summary>
    /// Waits (real time, briefly) until the entity and its lanes have nothing left to do at this
    /// virtual instant: no new delivery for a quiet period, so that time moves on only once the
    /// entity has scheduled what it schedules now.
    /// </summary>
    private void Settle()
    {
        // Quiet: no delivery and no journal write. A delivery's outcome is journaled before the entity
        // offers the head again and its lane arms the next timer, so counting writes keeps time from
        // moving on between an outcome and the timer it leads to (on a busy machine, that gap is long).
        const int quietPolls = 8;
        long Activity() => _network.Calls.Count + _webhook.Calls.Count + GatedMemoryJournal.Writes;
        var last = Activity();
        var quiet = 0;
        for (var i = 0; i < 200 && quiet < quietPolls; i++)
        {
            Thread.Sleep(4);
            var now = Activity();
            quiet = now == last ? quiet + 1 : 0;
            last = now;
        }
    }

    private sealed class FakeNetwork(TestScheduler clock) : IMobileNetwork
    {
        private readonly ConcurrentQueue<DeliveryOutcome> _script = new();
        private volatile DeliveryOutcome? _always;
        private readonly List<(NetworkSubmission Submission, DateTimeOffset At)> _calls = [];

        public IReadOnlyList<(NetworkSubmission Submission, DateTimeOffset At)> Calls
        {
            get { lock (_calls) return [.. _calls]; }
        }

        public void Script(params DeliveryOutcome[] outcomes)
        {
            foreach (var outcome in outcomes)
                _script.Enqueue(outcome);
        }

        public void FailAlways(DeliveryOutcome outcome) => _always = outcome;

        public void DeliverFromNowOn() => _always = null;

        private volatile TaskCompletionSource? _held;

        /// <summary>Submissions from now on wait until the returned source is completed (a network slow to answer).</summary>
        public TaskCompletionSource HoldAll() => _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<DeliveryOutcome> SubmitAsync(NetworkSubmission submission, CancellationToken cancellationToken)
        {
            lock (_calls)
                _calls.Add((submission, clock.Now));
            var outcome = _always ?? (_script.TryDequeue(out var next) ? next : DeliveryOutcome.Delivered);
            if (_held is { } held)
                await held.Task;
            return outcome;
        }
    }

    private sealed class FakeWebhook(TestScheduler clock) : IPartnerWebhook
    {
        private readonly List<(WebhookTarget Target, OriginationEvent Message, DateTimeOffset At)> _calls = [];
        private TaskCompletionSource<DeliveryOutcome>? _held;

        /// <summary>The next post waits for the returned outcome (a partner slow to answer).</summary>
        public TaskCompletionSource<DeliveryOutcome> HoldNext() =>
            _held = new TaskCompletionSource<DeliveryOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<(WebhookTarget Target, OriginationEvent Message, DateTimeOffset At)> Calls
        {
            get { lock (_calls) return [.. _calls]; }
        }

        public Task<DeliveryOutcome> PostAsync(WebhookTarget target, OriginationEvent message, CancellationToken cancellationToken)
        {
            lock (_calls)
                _calls.Add((target, message, clock.Now));
            return Interlocked.Exchange(ref _held, null)?.Task ?? Task.FromResult(DeliveryOutcome.Delivered);
        }
    }
}

/// <summary>
/// Specs that run subscriber entities share the process-wide message meter; one collection keeps them
/// from running at the same time, so a metrics spec counts only its own entity.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SubscriberEntityCollection
{
    public const string Name = "subscriber entities";
}
