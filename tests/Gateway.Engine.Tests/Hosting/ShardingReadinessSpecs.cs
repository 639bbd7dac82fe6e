using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Gateway.Engine.Configuration;
using Gateway.Testing;

namespace Gateway.Engine.Tests.Hosting;

/// <summary>
/// A node built by <c>WithGatewayNode</c> is ready for sharded entities: a shard region on the
/// gateway role starts, routes by entity id and starts one entity per id.
/// </summary>
public sealed class ShardingReadinessSpecs
{
    private sealed class RegionKey;

    private sealed record Ping(string EntityId);

    private sealed class PingEntity : ReceiveActor
    {
        public PingEntity() => Receive<Ping>(_ => Sender.Tell(Self.Path.Name));
    }

    private sealed class PingExtractor() : HashCodeMessageExtractor(10)
    {
        public override string? EntityId(object message) => (message as Ping)?.EntityId;
    }

    [Fact]
    public async Task Gateway_node_should_run_a_shard_region_on_the_gateway_role()
    {
        using var data = new TempDirectory();
        await using var node = await TestNode.StartAsync(data.Path, new TestStorage.Sqlite(), (akka, _) =>
            akka.WithShardRegion<RegionKey>("ping", _ => Props.Create(() => new PingEntity()), new PingExtractor(),
                new ShardOptions { Role = ClusterSettings.Role }));
        await node.WaitUntilUpAsync(TimeSpan.FromSeconds(15));
        var region = await ActorRegistry.For(node.System).GetAsync<RegionKey>();

        var first = await region.Ask<string>(new Ping("subscriber-1"), TimeSpan.FromSeconds(15));
        var second = await region.Ask<string>(new Ping("subscriber-2"), TimeSpan.FromSeconds(15));
        var again = await region.Ask<string>(new Ping("subscriber-1"), TimeSpan.FromSeconds(15));

        Assert.Equal("subscriber-1", first);
        Assert.Equal("subscriber-2", second);
        Assert.Equal(first, again);
    }
}
