using Gateway.Domain.Messaging;
using Gateway.Domain.Sms;
using Gateway.Engine.Simulator;
using Gateway.Southbound.Simulator;

namespace Gateway.Southbound.Tests.Simulator;

/// <summary>
/// How one node's inbox travels to the node that reads it (<see cref="SimulatorNodeActor.Parts"/>), and how
/// the nodes' inboxes become one (<see cref="ClusterInbox.Merge"/>). The cluster itself: Gateway.Host.Tests'
/// SimulatorClusterSpecs.
/// </summary>
public class ClusterInboxSpecs
{
    private static ReceivedMessage Sms(string text, DateTimeOffset at) =>
        new("+12145555273", ["+19465559040"], MessageType.Sms, text, [], 1, SmsEncoding.Gsm7, at);

    private static ReceivedMessage Mms(string text, int mediaBytes) =>
        new("+12145555273", ["+19465559040"], MessageType.Mms, text, [new MediaItem("image/png", "a.png", new byte[mediaBytes])], null, null, Wire.Start);

    [Fact]
    public void Nodes_inboxes_should_merge_oldest_first()
    {
        var nodeA = new[] { Sms("a1", Wire.Start), Sms("a2", Wire.Start.AddSeconds(2)), Sms("a3", Wire.Start.AddSeconds(4)) };
        var nodeB = new[] { Sms("b1", Wire.Start.AddSeconds(1)), Sms("b2", Wire.Start.AddSeconds(3)) };

        var merged = ClusterInbox.Merge([nodeA, nodeB], limit: 10);

        Assert.Equal(["a1", "b1", "a2", "b2", "a3"], merged.Select(m => m.Text));
    }

    [Fact]
    public void Messages_received_at_the_same_instant_should_keep_the_nodes_order_and_their_own()
    {
        var nodeA = new[] { Sms("a1", Wire.Start), Sms("a2", Wire.Start) };
        var nodeB = new[] { Sms("b1", Wire.Start), Sms("b2", Wire.Start.AddSeconds(-1)) };

        var merged = ClusterInbox.Merge([nodeA, nodeB], limit: 10);

        Assert.Equal(["b2", "a1", "a2", "b1"], merged.Select(m => m.Text));
    }

    [Fact]
    public void A_merged_inbox_should_keep_the_newest_messages_up_to_the_limit()
    {
        var nodeA = new[] { Sms("a1", Wire.Start), Sms("a2", Wire.Start.AddSeconds(2)) };
        var nodeB = new[] { Sms("b1", Wire.Start.AddSeconds(1)), Sms("b2", Wire.Start.AddSeconds(3)) };

        Assert.Equal(["a2", "b2"], ClusterInbox.Merge([nodeA, nodeB], limit: 2).Select(m => m.Text));
        Assert.Empty(ClusterInbox.Merge([[], []], limit: 2));
    }

    [Fact]
    public void An_empty_inbox_should_travel_as_one_last_empty_part()
    {
        var part = Assert.Single(SimulatorNodeActor.Parts([], budgetBytes: 1000));

        Assert.Empty(part.Messages);
        Assert.True(part.IsLast);
    }

    [Fact]
    public void An_inbox_of_texts_should_travel_in_one_part()
    {
        var inbox = Enumerable.Range(0, 100).Select(n => Sms($"message {n}", Wire.Start.AddSeconds(n))).ToList();

        var part = Assert.Single(SimulatorNodeActor.Parts(inbox, budgetBytes: 4 * 1024 * 1024));

        Assert.Equal(inbox, part.Messages);
        Assert.True(part.IsLast);
    }

    [Fact]
    public void An_inbox_heavier_than_the_budget_should_travel_in_ordered_parts_within_it()
    {
        const int Budget = 1024 * 1024;
        // 400 KB of media is about 534 KB in base64: one fits, two do not
        var inbox = Enumerable.Range(0, 5).Select(n => Mms($"mms {n}", 400_000)).ToList();
        var tooHeavyAlone = Mms("huge", 2_000_000);
        inbox.Insert(2, tooHeavyAlone);

        var parts = SimulatorNodeActor.Parts(inbox, Budget).ToList();

        Assert.Equal(inbox, parts.SelectMany(p => p.Messages));
        Assert.Equal([false, false, false, false, false, true], parts.Select(p => p.IsLast));
        Assert.Equal([tooHeavyAlone], parts[2].Messages);
        Assert.All(parts.Where(p => !p.Messages.Contains(tooHeavyAlone)),
            p => Assert.True(p.Messages.Sum(SimulatorNodeActor.WireSizeBound) <= Budget));
    }

    [Fact]
    public void The_size_bound_should_hold_for_the_serializers_json()
    {
        var message = Mms("Ça va ? 😀 \u0001 \"quoted\"", 1000) with { To = ["+19465559040", "+13125550000"] };

        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(message, Gateway.Engine.Serialization.GatewayJson.Options);

        Assert.True(json.Length <= SimulatorNodeActor.WireSizeBound(message), $"{json.Length} bytes > the bound {SimulatorNodeActor.WireSizeBound(message)}");
    }
}
