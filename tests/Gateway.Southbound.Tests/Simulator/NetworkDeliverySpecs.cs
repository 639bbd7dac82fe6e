using Gateway.Domain.Addressing;
using Gateway.Domain.Messaging;
using Gateway.Domain.Sms;
using Gateway.Engine.Delivery;
using Gateway.Southbound.Simulator;

namespace Gateway.Southbound.Tests.Simulator;

public class NetworkDeliverySpecs
{
    private static readonly E164Number Handset = E164Number.Parse("+19465559040");
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private readonly ManualTimeProvider _time = new(Wire.Start);
    private readonly LocalHandsetReachability _reachability = new();
    private readonly SimulatedMobileNetwork _network;

    public NetworkDeliverySpecs() =>
        _network = new SimulatedMobileNetwork(
            new SimulatorOptions { ReassemblyTimeout = Timeout, IngressRetryDelay = TimeSpan.Zero }, _time, new Random(3), _reachability);

    private Task<DeliveryOutcome> Submit(NetworkSubmission submission) => _network.SubmitAsync(submission, CancellationToken.None);

    [Fact]
    public async Task An_sms_submitted_as_segments_should_be_reassembled_into_the_inbox()
    {
        var text = Wire.Repeat("Hello, world! ", 30); // 420 septets: 3 segments

        Assert.Equal(DeliveryOutcome.Delivered, await Submit(Wire.Sms(Handset, text, from: "ACME Bank")));

        var received = Assert.Single(_network.GetInbox(Handset));
        Assert.Equal("ACME Bank", received.From);
        Assert.Equal([Handset.Value], received.To);
        Assert.Equal(MessageType.Sms, received.Type);
        Assert.Equal(text, received.Text);
        Assert.Equal(3, received.Segments);
        Assert.Equal(SmsEncoding.Gsm7, received.Encoding);
        Assert.Equal(Wire.Start, received.ReceivedAt);
        Assert.Empty(received.Media);
        Assert.True(received.IsComplete);
    }

    [Fact]
    public async Task A_single_ucs2_sms_should_be_received_with_its_encoding()
    {
        await Submit(Wire.Sms(Handset, "Ça va ? 😀"));

        var received = Assert.Single(_network.GetInbox(Handset));
        Assert.Equal("Ça va ? 😀", received.Text);
        Assert.Equal(1, received.Segments);
        Assert.Equal(SmsEncoding.Ucs2, received.Encoding);
    }

    [Fact]
    public async Task Segments_travelling_out_of_order_should_still_be_reassembled()
    {
        var text = string.Concat(Wire.Repeat("x", 153), Wire.Repeat("y", 153), Wire.Repeat("z", 153));
        var segmented = Wire.Segment(text);
        Wire.Reorder(segmented, [2, 0, 1]); // the wire now carries parts 3, 1, 2

        Assert.Equal(DeliveryOutcome.Delivered, await Submit(Wire.Sms(Handset, segmented)));

        var received = Assert.Single(_network.GetInbox(Handset));
        Assert.Equal(text, received.Text);
        Assert.Equal(3, received.Segments);
    }

    [Fact]
    public async Task A_malformed_segment_should_fail_the_delivery_permanently_and_show_nothing()
    {
        var segmented = Wire.Segment(Wire.Repeat("a", 300));
        var second = Wire.Bytes(segmented[1]);
        second[second.Count - 1] = 0x80; // not a septet

        var outcome = await Submit(Wire.Sms(Handset, segmented));

        Assert.Equal(DeliveryResult.PermanentFailure, outcome.Result);
        Assert.StartsWith("invalid_septet: segment 2/2", outcome.Error);
        Assert.Empty(_network.GetInbox(Handset));
        _time.Advance(Timeout * 2);
        Assert.Empty(_network.GetInbox(Handset)); // nothing of it was kept for later either
    }

    [Fact]
    public async Task A_broken_concatenation_header_should_fail_the_delivery_permanently()
    {
        var segmented = Wire.Segment(Wire.Repeat("a", 300));
        var first = Wire.Bytes(segmented[0]);
        first[5] = 0; // sequence 0

        var outcome = await Submit(Wire.Sms(Handset, segmented));

        Assert.Equal(DeliveryResult.PermanentFailure, outcome.Result);
        Assert.StartsWith("invalid_concatenation", outcome.Error);
    }

    [Fact]
    public async Task An_sms_submission_without_segments_should_fail_permanently()
    {
        var submission = Wire.Sms(Handset, "Hi") with { Segments = null };

        var outcome = await Submit(submission);

        Assert.Equal(DeliveryResult.PermanentFailure, outcome.Result);
        Assert.Empty(_network.GetInbox(Handset));
    }

    [Fact]
    public async Task An_mms_should_be_received_whole()
    {
        var picture = new MediaItem("image/jpeg", "beach.jpg", [0xFF, 0xD8, 0xFF]);

        Assert.Equal(DeliveryOutcome.Delivered, await Submit(Wire.Mms(Handset, "Look!", picture)));

        var received = Assert.Single(_network.GetInbox(Handset));
        Assert.Equal(MessageType.Mms, received.Type);
        Assert.Equal("+12145555273", received.From);
        Assert.Equal([Handset.Value, "+19465559040"], received.To);
        Assert.Equal("Look!", received.Text);
        Assert.Same(picture, Assert.Single(received.Media));
        Assert.Null(received.Segments);
        Assert.Null(received.Encoding);
    }

    [Fact]
    public async Task An_unreachable_handset_should_fail_deliveries_temporarily_and_receive_nothing()
    {
        _reachability.SetReachable(Handset, false);

        var sms = await Submit(Wire.Sms(Handset, "Hi"));
        var mms = await Submit(Wire.Mms(Handset, "Hi"));

        Assert.False(_reachability.IsReachable(Handset));
        Assert.Equal(DeliveryOutcome.Temporary("handset unreachable"), sms);
        Assert.Equal(DeliveryOutcome.Temporary("handset unreachable"), mms);
        Assert.Empty(_network.GetInbox(Handset));
    }

    [Fact]
    public async Task A_handset_reachable_again_should_receive_the_next_delivery()
    {
        _reachability.SetReachable(Handset, false);
        await Submit(Wire.Sms(Handset, "first try"));

        _reachability.SetReachable(Handset, true);
        var outcome = await Submit(Wire.Sms(Handset, "second try"));

        Assert.True(_reachability.IsReachable(Handset));
        Assert.Equal(DeliveryOutcome.Delivered, outcome);
        Assert.Equal("second try", Assert.Single(_network.GetInbox(Handset)).Text);
    }

    [Fact]
    public async Task A_delivery_should_fail_temporarily_while_the_network_cannot_tell_whether_the_handset_is_reachable()
    {
        var network = new SimulatedMobileNetwork(new SimulatorOptions(), _time, new Random(3), new UndecidedReachability());

        var outcome = await network.SubmitAsync(Wire.Sms(Handset, "Hi"), CancellationToken.None);

        Assert.Equal(DeliveryResult.TemporaryFailure, outcome.Result);
        Assert.Equal("the network cannot tell whether the handset is reachable: this node has not joined yet", outcome.Error);
        Assert.Empty(network.GetInbox(Handset));
    }

    private sealed class UndecidedReachability : IHandsetReachability
    {
        public ValueTask<bool> IsReachableAsync(E164Number handset, CancellationToken cancellationToken) =>
            ValueTask.FromException<bool>(new TimeoutException("this node has not joined yet"));
    }

    [Fact]
    public void A_handset_never_seen_should_be_reachable_with_an_empty_inbox()
    {
        Assert.True(_reachability.IsReachable(Handset));
        Assert.Empty(_network.GetInbox(Handset));
    }

    [Fact]
    public async Task The_inbox_should_list_messages_oldest_first()
    {
        foreach (var text in new[] { "one", "two", "three" })
        {
            await Submit(Wire.Sms(Handset, text));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var inbox = _network.GetInbox(Handset);

        Assert.Equal(["one", "two", "three"], inbox.Select(m => m.Text));
        Assert.Equal([Wire.Start, Wire.Start.AddSeconds(1), Wire.Start.AddSeconds(2)], inbox.Select(m => m.ReceivedAt));
    }

    [Fact]
    public async Task A_redelivered_message_should_be_shown_again()
    {
        var submission = Wire.Sms(Handset, Wire.Repeat("a", 200));

        await Submit(submission);
        await Submit(submission); // at-least-once: the same segments, the same reference

        Assert.Equal(2, _network.GetInbox(Handset).Count(m => m.Text == Wire.Repeat("a", 200)));
    }

    [Fact]
    public async Task Messages_from_one_sender_reusing_a_reference_should_not_be_mixed()
    {
        await Submit(Wire.Sms(Handset, Wire.Repeat("a", 200), reference: 9));
        await Submit(Wire.Sms(Handset, Wire.Repeat("b", 200), reference: 9));

        Assert.Equal([Wire.Repeat("a", 200), Wire.Repeat("b", 200)], _network.GetInbox(Handset).Select(m => m.Text));
    }

    [Fact]
    public async Task A_message_missing_a_part_should_be_shown_with_a_gap_once_the_handset_gives_up()
    {
        var segmented = Wire.Segment(string.Concat(Wire.Repeat("x", 153), Wire.Repeat("y", 153), Wire.Repeat("z", 153)));
        Wire.Bytes(segmented[1])[5] = 1; // a garbled header: part 2 claims to be part 1 again

        Assert.Equal(DeliveryOutcome.Delivered, await Submit(Wire.Sms(Handset, segmented)));
        Assert.Empty(_network.GetInbox(Handset));
        _time.Advance(Timeout);

        var received = Assert.Single(_network.GetInbox(Handset));
        Assert.Equal(Wire.Repeat("x", 153) + SmsReassembler.GapMarker + Wire.Repeat("z", 153), received.Text);
        Assert.False(received.IsComplete);
        Assert.Equal(3, received.Segments);
        Assert.Equal(Wire.Start + Timeout, received.ReceivedAt);
    }

    [Fact]
    public async Task An_expired_fragment_should_be_shown_before_the_message_whose_submission_noticed_it()
    {
        var segmented = Wire.Segment(Wire.Repeat("x", 300));
        Wire.Bytes(segmented[1])[5] = 1;
        await Submit(Wire.Sms(Handset, segmented));
        _time.Advance(Timeout);

        await Submit(Wire.Sms(Handset, "later"));

        Assert.Equal([Wire.Repeat("x", 153) + SmsReassembler.GapMarker, "later"], _network.GetInbox(Handset).Select(m => m.Text));
    }

    [Fact]
    public async Task Concurrent_deliveries_to_many_handsets_should_each_arrive_once_and_in_order()
    {
        var handsets = Enumerable.Range(0, 40).Select(i => E164Number.Parse($"+1214555{i:D4}")).ToArray();

        await Task.WhenAll(handsets.Select(handset => Task.Run(async () =>
        {
            for (var n = 0; n < 25; n++)
            {
                var outcome = await _network.SubmitAsync(Wire.Sms(handset, $"{handset} message {n} " + Wire.Repeat("é", 160)), CancellationToken.None);
                Assert.Equal(DeliveryOutcome.Delivered, outcome);
            }
        })));

        Assert.All(handsets, handset =>
            Assert.Equal(
                Enumerable.Range(0, 25).Select(n => $"{handset} message {n} " + Wire.Repeat("é", 160)),
                _network.GetInbox(handset).Select(m => m.Text)));
    }

    [Fact]
    public async Task Concurrent_deliveries_to_one_handset_should_all_arrive()
    {
        var texts = Enumerable.Range(0, 200).Select(n => $"message {n} " + Wire.Repeat("-", 170)).ToArray();

        await Task.WhenAll(texts.Select((text, n) => Task.Run(async () =>
        {
            await _network.SubmitAsync(Wire.Sms(Handset, text, from: $"+1972555{n:D4}"), CancellationToken.None);
            _reachability.SetReachable(E164Number.Parse($"+1469555{n:D4}"), n % 2 == 0);
            _ = _network.GetInbox(Handset);
        })));

        Assert.Equal(texts.Order(StringComparer.Ordinal), _network.GetInbox(Handset).Select(m => m.Text!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_full_inbox_should_keep_the_newest_messages_up_to_its_limit()
    {
        var network = new SimulatedMobileNetwork(new SimulatorOptions { InboxLimit = 3, IngressRetryDelay = TimeSpan.Zero }, _time, new Random(3));

        for (var n = 1; n <= 5; n++)
            Assert.Equal(DeliveryOutcome.Delivered, await network.SubmitAsync(Wire.Sms(Handset, $"message {n}"), CancellationToken.None));

        Assert.Equal(["message 3", "message 4", "message 5"], network.GetInbox(Handset).Select(m => m.Text));
    }
}
