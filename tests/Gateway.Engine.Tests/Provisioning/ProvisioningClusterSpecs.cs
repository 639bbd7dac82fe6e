using Akka.Actor;
using Akka.Hosting;
using Gateway.Domain.Addressing;
using Gateway.Domain.Provisioning;
using Gateway.Engine.Hosting;
using Gateway.Engine.Provisioning;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Gateway.Domain.Provisioning.ProvisioningCommands;

namespace Gateway.Engine.Tests.Provisioning;

/// <summary>
/// Provisioning is shared by every node of a cluster, not held in one node's memory: two nodes
/// (two ActorSystems on loopback) share one journal; a write through either node reaches the one
/// authority and both nodes' directories.
/// </summary>
public sealed class ProvisioningClusterSpecs
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private const string FastFollow = "akka.persistence.query.journal.sql.refresh-interval = 200ms";

    [Fact]
    public async Task Provisioning_should_be_shared_by_two_nodes_on_sqlite()
    {
        using var data = new TempDirectory();
        await WritesThroughEitherNodeReachBothDirectories(data.Path, new TestStorage.Sqlite());
    }

    [SkippableFact]
    public async Task Provisioning_should_be_shared_by_two_nodes_on_postgres()
    {
        PostgresDatabase.SkipUnlessConfigured();
        using var data = new TempDirectory();
        await using var database = await PostgresDatabase.CreateAsync();
        await WritesThroughEitherNodeReachBothDirectories(data.Path, new TestStorage.Postgres(database.ConnectionString));
    }

    private static async Task WritesThroughEitherNodeReachBothDirectories(string dataDirectory, TestStorage storage)
    {
        var (portA, portB) = (TestCluster.FreePort(), TestCluster.FreePort());
        var seeds = new[] { TestCluster.Address(portA) };
        await using var nodeA = await TestNode.StartAsync(dataDirectory, storage,
            (akka, settings) => akka.WithProvisioning(settings.Provisioning), FastFollow, new TestCluster(portA, seeds));
        await using var nodeB = await TestNode.StartAsync(dataDirectory, storage,
            (akka, settings) => akka.WithProvisioning(settings.Provisioning), FastFollow, new TestCluster(portB, seeds));
        await nodeA.WaitUntilUpAsync(Timeout);
        await nodeB.WaitUntilUpAsync(Timeout);

        await Authority.Provision(nodeB, new SavePartner(Samples.Partner()), Timeout);
        await Authority.Provision(nodeA, new SaveSubscriber(Samples.Subscriber("s-a", "+19465550001")), Timeout);
        var last = await Authority.Provision(nodeB, new SaveSubscriber(Samples.Subscriber("s-b", "+19465550002")), Timeout);

        foreach (var node in new[] { nodeA, nodeB })
        {
            var directory = node.Services.GetRequiredService<ProvisioningDirectory>();
            Assert.True(await directory.WaitForAsync(last.SequenceNr, Timeout));
            Assert.NotNull(directory.Catalog.FindSubscriberByDid(E164Number.Parse("+19465550001")));
            Assert.NotNull(directory.Catalog.FindSubscriberByDid(E164Number.Parse("+19465550002")));
        }
        // one authority decides for the whole cluster: a number taken through one node is taken on the other
        var refused = await Authority.Ask<ProvisioningProtocol.Refused>(nodeA,
            new SaveSubscriber(Samples.Subscriber("s-c", "+19465550002")), Timeout);
        Assert.Equal(Gateway.Domain.Errors.ErrorCodes.DidInUse, refused.Error.Code);
    }

}
