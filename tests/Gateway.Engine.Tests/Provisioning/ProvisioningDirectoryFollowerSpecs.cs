using Akka.Actor;
using Akka.Hosting;
using Gateway.Domain.Provisioning;
using Gateway.Engine.Hosting;
using Gateway.Engine.Provisioning;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Gateway.Domain.Provisioning.ProvisioningCommands;

namespace Gateway.Engine.Tests.Provisioning;

/// <summary>The node wiring of provisioning: the singleton authority and the directory that follows its journal.</summary>
public sealed class ProvisioningDirectoryFollowerSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private const string FastFollow = "akka.persistence.query.journal.sql.refresh-interval = 100ms\ngateway.provisioning.snapshot-every = 5";

    private readonly TempDirectory _data = new();
    private TestNode? _node;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_node is not null)
            await _node.DisposeAsync();
        _data.Dispose();
    }

    private async Task<TestNode> StartAsync()
    {
        if (_node is not null)
            await _node.DisposeAsync();
        _node = await TestNode.StartAsync(_data.Path, new TestStorage.Sqlite(),
            (akka, settings) => akka.WithProvisioning(settings.Provisioning), FastFollow);
        return _node;
    }

    private static ProvisioningDirectory Directory(TestNode node) => node.Services.GetRequiredService<ProvisioningDirectory>();


    [Fact]
    public async Task Directory_should_follow_writes_of_the_authority_through_the_journal()
    {
        var node = await StartAsync();
        var directory = Directory(node);

        await Authority.Provision(node, new SavePartner(Samples.Partner()), Timeout);
        var applied = await Authority.Provision(node, new SaveSubscriber(Samples.Subscriber("s1", "+19465559040")), Timeout);

        // nobody offered the event to the directory: it read it from the journal
        Assert.True(await directory.WaitForAsync(applied.SequenceNr, Timeout));
        Assert.Equal(new SubscriberId("s1"), directory.Catalog.FindSubscriberByMobile(Gateway.Domain.Addressing.E164Number.Parse("+19465559040"))?.Id);
        Assert.True(directory.IsLoaded);
    }

    [Fact]
    public async Task Directory_should_load_the_snapshot_and_later_events_when_the_node_starts_again()
    {
        var node = await StartAsync();
        await Authority.Provision(node, new SavePartner(Samples.Partner()), Timeout);
        long last = 0;
        for (var i = 0; i < 12; i++) // snapshots at 5 and 10 events, then two more events
            last = (await Authority.Provision(node, new SaveSubscriber(Samples.Subscriber($"s{i}", $"+1946555{i:D4}")), Timeout)).SequenceNr;

        node = await StartAsync();
        var directory = Directory(node);

        Assert.True(await directory.WaitForAsync(last, Timeout));
        Assert.Equal(12, directory.Catalog.SubscriberCount);
        await AwaitTrue(() => directory.IsLoaded);
    }

    [Fact]
    public async Task Follower_should_read_the_journal_at_once_when_asked_and_answer_after_the_read()
    {
        // the live query polls only every 10 minutes here: only the asked-for read can find the event
        if (_node is not null)
            await _node.DisposeAsync();
        _node = await TestNode.StartAsync(_data.Path, new TestStorage.Sqlite(),
            (akka, settings) => akka.WithProvisioning(settings.Provisioning),
            "akka.persistence.query.journal.sql.refresh-interval = 10m");
        var directory = Directory(_node);
        await AwaitTrue(() => directory.IsLoaded);
        await Authority.Provision(_node, new SavePartner(Samples.Partner()), Timeout);
        var applied = await Authority.Provision(_node, new SaveSubscriber(Samples.Subscriber("s1", "+19465559040")), Timeout);
        Assert.False(await directory.WaitForAsync(applied.SequenceNr, TimeSpan.FromMilliseconds(300)));

        var follower = _node.System.ActorSelection("/user/" + ProvisioningDirectoryFollower.Name);
        var read = await follower.Ask<ProvisioningProtocol.JournalRead>(ProvisioningProtocol.ReadJournalNow.Instance, Timeout);

        Assert.True(read.Succeeded);
        Assert.Equal(applied.SequenceNr, read.SequenceNr);
        Assert.NotNull(directory.Catalog.FindSubscriber(new SubscriberId("s1")));
    }

    private static async Task AwaitTrue(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }
}
