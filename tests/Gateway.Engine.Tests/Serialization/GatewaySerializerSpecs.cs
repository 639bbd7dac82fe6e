using System.Text;
using Akka.Actor;
using Akka.Serialization;
using Gateway.Domain.Errors;
using Gateway.Domain.Provisioning;
using Gateway.Engine.Provisioning;
using Gateway.Engine.Serialization;
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
            if (sample is not CatalogSnapshot) // lists compare by reference; their JSON is compared above
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
