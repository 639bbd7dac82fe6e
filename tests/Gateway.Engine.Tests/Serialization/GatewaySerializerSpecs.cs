using System.Text;
using Akka.Actor;
using Akka.Serialization;
using Gateway.Domain.Addressing;
using Gateway.Domain.Errors;
using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;
using Gateway.Domain.Sms;
using Gateway.Engine.Provisioning;
using Gateway.Engine.Serialization;
using Gateway.Engine.Simulator;
using Gateway.Engine.Subscribers;
using Gateway.Testing;
using static Gateway.Domain.Provisioning.ProvisioningCommands;
using static Gateway.Domain.Provisioning.ProvisioningEvents;

namespace Gateway.Engine.Tests.Serialization;

public sealed class GatewaySerializerSpecs : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private TestNode _node = null!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync(_data.Path, new TestStorage.Sqlite());

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _data.Dispose();
    }

    /// <summary>One sample of every type registered in <see cref="WireManifests"/>.</summary>
    private static readonly object[] Samples_ =
    [
        new PartnerSaved(Samples.Partner()),
        new PartnerDeleted(new PartnerId("p1")),
        new RecordingServerSaved(Samples.RecordingServer()),
        new RecordingServerSaved(Samples.RecordingServer() with { AuthenticationKey = null }),
        new RecordingServerDeleted(new RecordingServerId("rs1")),
        new GroupSaved(Samples.Group("g1", "rs1")),
        new GroupDeleted(new GroupId("g1")),
        new SubscriberSaved(Samples.Subscriber("s1", "+19465559040", groupId: "g1")),
        new SubscriberDeleted(new SubscriberId("s1")),
        new CatalogSnapshot([Samples.Partner()], [Samples.RecordingServer()], [Samples.Group()], [Samples.Subscriber("s1", "+19465559040")]),
        new SavePartner(Samples.Partner() with { SecondaryUrl = null }),
        new DeletePartner(new PartnerId("p1")),
        new SaveRecordingServer(Samples.RecordingServer()),
        new DeleteRecordingServer(new RecordingServerId("rs1")),
        new SaveGroup(Samples.Group()),
        new DeleteGroup(new GroupId("g1")),
        new SaveSubscriber(Samples.Subscriber("s1", "+19465559040", "+19465559041")),
        new DeleteSubscriber(new SubscriberId("s1")),
        new ProvisioningProtocol.Applied(42, new SubscriberDeleted(new SubscriberId("s1"))),
        new ProvisioningProtocol.Applied(42, null),
        new ProvisioningProtocol.Refused(DomainError.Conflict(ErrorCodes.DidInUse, "taken")),
        new ProvisioningProtocol.CatchUpTo(42),
        new ProvisioningProtocol.CaughtUpTo(42, Reached: true),
        new MessageAccepted(SubscriberSamples.Pending()),
        new DeliveryAttempted(MessageDirection.Mt, SubscriberSamples.Id, DeliveryOutcome.Temporary("handset unreachable"),
            SubscriberSamples.At, SubscriberSamples.At.AddSeconds(30)),
        new DeliveryAttempted(MessageDirection.Mo, SubscriberSamples.Id, DeliveryOutcome.Delivered, SubscriberSamples.At, null),
        new MessageExpired(MessageDirection.Mt, SubscriberSamples.Id, SubscriberSamples.At),
        new SmsSegmentReceived("+12145555273", "+19465559040", 0x00, true, [0x05, 0x00, 0x03, 0x01, 0x02, 0x01, 0x41],
            SubscriberSamples.At, SubscriberSamples.Id, SubscriberSamples.At.AddDays(7)),
        new ReassemblyExpired(SubscriberSamples.At, "+19465559040", [SubscriberSamples.Id], SubscriberSamples.At.AddDays(7), [3]),
        new MessageWithdrawn(SubscriberSamples.Id, SubscriberSamples.At),
        SubscriberSamples.Snapshot(),
        new SubscriberProtocol.AcceptTermination("s1", SubscriberSamples.Content()),
        new SubscriberProtocol.ReceiveSmsSegment("s1", "+12145555273", 0x08, false, [0x00, 0x41]),
        new SubscriberProtocol.ReceiveMms("s1", ["+12145555273", "+13125550000"], null, [new MediaItem("image/png", "a.png", [1, 2, 3])]),
        new SubscriberProtocol.GetQueue("s1"),
        new SubscriberProtocol.AcceptTermination("s1", SubscriberSamples.Content(), SubscriberSamples.Id),
        new SubscriberProtocol.GetMessage("s1", SubscriberSamples.Id),
        new SubscriberProtocol.MessageLookup(new MessageStatusRecord(SubscriberSamples.Id, "s1", MessageDirection.Mo, MessageType.Sms,
            MessageStatus.Queued, 2, "primary: 503", SubscriberSamples.At, SubscriberSamples.At.AddSeconds(30), 3)),
        new SubscriberProtocol.MessageLookup(null),
        new SubscriberProtocol.Accepted(SubscriberSamples.Id),
        new SubscriberProtocol.Accepted(null),
        new SubscriberProtocol.Refused("invalid_septet", "octet 3 is 0x80"),
        new SubscriberProtocol.AcceptTermination("s1", SubscriberSamples.Content(), SubscriberSamples.Id, SubscriberSamples.At.AddSeconds(5)),
        new SubscriberProtocol.DeadlinePassed(SubscriberSamples.Id),
        new SubscriberProtocol.DeadlinePassed(null),
        new SubscriberProtocol.AwaitAccept("s1", SubscriberSamples.Id),
        new SubscriberProtocol.NotQueued(SubscriberSamples.Id),
        new SubscriberProtocol.QueueView(
            [new SubscriberProtocol.QueueItem(SubscriberSamples.Id, MessageStatus.Queued, 2, SubscriberSamples.At, SubscriberSamples.At.AddDays(7))], []),
        new SimulatorProtocol.GetInbox(E164Number.Parse("+19465559040")),
        new SimulatorProtocol.InboxPart(
            [
                new ReceivedMessage("ACME Bank", ["+19465559040"], MessageType.Sms, "Hello […] world", [], 3, SmsEncoding.Gsm7, SubscriberSamples.At)
                {
                    IsComplete = false,
                },
                new ReceivedMessage("+12145555273", ["+19465559040", "+13125550000"], MessageType.Mms, null,
                    [new MediaItem("image/png", "a.png", [1, 2, 3])], null, null, SubscriberSamples.At.AddMilliseconds(1)),
            ],
            IsLast: false),
        new SimulatorProtocol.InboxPart([], IsLast: true),
    ];

    [Fact]
    public void GatewaySerializer_should_round_trip_every_wire_type_under_its_manifest()
    {
        Assert.Equal(WireManifests.Types.ToHashSet(), Samples_.Select(s => s.GetType()).ToHashSet());
        var serialization = _node.System.Serialization;
        foreach (var sample in Samples_)
        {
            var serializer = serialization.FindSerializerFor(sample);
            Assert.IsType<GatewaySerializer>(serializer);
            var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, sample);
            var bytes = serializer.ToBinary(sample);

            var back = serialization.Deserialize(bytes, GatewaySerializer.SerializerId, manifest);

            Assert.Equal(WireManifests.ManifestOf(sample.GetType()), manifest);
            Assert.Equal(Json(sample), Json(back));
            if (!SubscriberSamples.ComparesByJsonOnly(sample)) // lists and arrays compare by reference; their JSON is compared above
                Assert.Equal(sample, back);
        }
    }

    [Fact]
    public void GatewaySerializer_should_write_a_subscriber_event_in_the_documented_journal_format()
    {
        var e = new SubscriberSaved(Samples.Subscriber("s1", "+19465559040", "+19465559041", groupId: "g1"));

        Assert.Equal("provisioning.subscriber-saved.v1", WireManifests.ManifestOf(e.GetType()));
        Assert.Equal(
            """{"subscriber":{"id":"s1","mobile":"+19465559040","did":"+19465559041","domain":"acme.example","partnerId":"p1","groupId":"g1"}}""",
            Json(e));
    }

    [Fact]
    public void GatewaySerializer_should_read_an_event_written_without_an_optional_field_added_later()
    {
        // How events evolve (docs/persistence.md): new fields are optional, so old rows still read.
        var stored = """{"subscriber":{"id":"s1","mobile":"+19465559040","did":"+19465559040","domain":"acme.example","partnerId":"p1"}}""";

        var e = (SubscriberSaved)new GatewaySerializer((ExtendedActorSystem)_node.System)
            .FromBinary(Encoding.UTF8.GetBytes(stored), "provisioning.subscriber-saved.v1");

        Assert.Null(e.Subscriber.GroupId);
        Assert.Equal("+19465559040", e.Subscriber.Did.Value);
    }

    [Fact]
    public void GatewaySerializer_should_store_the_client_secret_only_as_its_digest()
    {
        var json = Json(new PartnerSaved(Samples.Partner(clientSecret: "the-clear-client-secret")));

        Assert.DoesNotContain("the-clear-client-secret", json);
        Assert.Contains(SecretDigest.Of("the-clear-client-secret").Hex, json);
    }

    private string Json(object o)
    {
        var serializer = _node.System.Serialization.FindSerializerFor(o);
        return Encoding.UTF8.GetString(serializer.ToBinary(o));
    }
}
