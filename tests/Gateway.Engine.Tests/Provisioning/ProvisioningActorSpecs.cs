using Akka.Actor;
using Akka.Persistence;
using Gateway.Domain.Errors;
using Gateway.Domain.Provisioning;
using Gateway.Engine.Provisioning;
using Gateway.Testing;
using Xunit.Abstractions;
using static Gateway.Domain.Provisioning.ProvisioningCommands;
using static Gateway.Domain.Provisioning.ProvisioningEvents;
using static Gateway.Engine.Provisioning.ProvisioningProtocol;

namespace Gateway.Engine.Tests.Provisioning;

/// <summary>
/// The provisioning authority against a real journal. Run on SQLite always and on PostgreSQL when
/// <c>GATEWAY_POSTGRES</c> is set (see the two subclasses at the end).
/// </summary>
public abstract class ProvisioningActorSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly TempDirectory _data = new();
    private TestStorage? _storage;
    private TestNode? _node;
    private Akka.TestKit.Xunit2.TestKit? _kit;

    protected abstract Task<TestStorage?> CreateStorageAsync();

    protected virtual ValueTask DisposeStorageAsync() => ValueTask.CompletedTask;

    public async Task InitializeAsync()
    {
        _storage = await CreateStorageAsync();
        if (_storage is not null)
            await StartNodeAsync();
    }

    public async Task DisposeAsync()
    {
        await StopNodeAsync();
        await DisposeStorageAsync();
        _data.Dispose();
    }

    protected abstract void SkipUnlessAvailable();

    private ActorSystem System => _node!.System;

    private async Task StartNodeAsync()
    {
        _node = await TestNode.StartAsync(_data.Path, _storage!);
        _kit = new Akka.TestKit.Xunit2.TestKit(_node.System, output);
    }

    private async Task StopNodeAsync()
    {
        if (_node is null) return;
        await _node.DisposeAsync();
        _node = null;
    }

    private IActorRef StartAuthority(int snapshotEvery = 1000, double snapshotEveryFraction = 0.1) =>
        System.ActorOf(ProvisioningActor.Props(snapshotEvery, snapshotEveryFraction));

    /// <summary>Sends from the TestKit's test actor and expects the reply of type <typeparamref name="T"/>.</summary>
    private async Task<T> Send<T>(IActorRef authority, IProvisioningCommand command)
    {
        authority.Tell(command, _kit!.TestActor);
        return await _kit.ExpectMsgAsync<T>(Timeout);
    }

    private async Task Provision(IActorRef authority, params IProvisioningCommand[] commands)
    {
        foreach (var command in commands)
            await Send<Applied>(authority, command);
    }

    [SkippableFact]
    public async Task ProvisioningActor_should_answer_Applied_with_the_journaled_event_and_its_sequence_number()
    {
        SkipUnlessAvailable();
        var authority = StartAuthority();

        var first = await Send<Applied>(authority, new SavePartner(Samples.Partner()));
        var second = await Send<Applied>(authority, new SaveSubscriber(Samples.Subscriber("s1", "+19465559040")));

        Assert.Equal(1, first.SequenceNr);
        Assert.Equal(new PartnerSaved(Samples.Partner()), first.Event);
        Assert.Equal(2, second.SequenceNr);
        Assert.IsType<SubscriberSaved>(second.Event);
    }

    [SkippableFact]
    public async Task ProvisioningActor_should_journal_nothing_for_a_save_that_changes_nothing()
    {
        SkipUnlessAvailable();
        var authority = StartAuthority();
        await Provision(authority, new SavePartner(Samples.Partner()));

        var again = await Send<Applied>(authority, new SavePartner(Samples.Partner()));

        Assert.Equal(1, again.SequenceNr);
        Assert.Null(again.Event);
    }

    [SkippableFact]
    public async Task ProvisioningActor_should_replace_a_subscriber_and_free_its_old_numbers()
    {
        SkipUnlessAvailable();
        var authority = StartAuthority();
        await Provision(authority, new SavePartner(Samples.Partner()), new SaveSubscriber(Samples.Subscriber("s1", "+19465559040")));

        await Provision(authority, new SaveSubscriber(Samples.Subscriber("s1", "+19465559050")));
        var taken = await Send<Applied>(authority, new SaveSubscriber(Samples.Subscriber("s2", "+19465559040")));

        Assert.IsType<SubscriberSaved>(taken.Event);
    }

    [SkippableFact]
    public async Task ProvisioningActor_should_delete_and_refuse_to_delete_what_does_not_exist()
    {
        SkipUnlessAvailable();
        var authority = StartAuthority();
        await Provision(authority, new SavePartner(Samples.Partner()), new SaveSubscriber(Samples.Subscriber("s1", "+19465559040")));

        var deleted = await Send<Applied>(authority, new DeleteSubscriber(new SubscriberId("s1")));
        var again = await Send<Refused>(authority, new DeleteSubscriber(new SubscriberId("s1")));

        Assert.Equal(new SubscriberDeleted(new SubscriberId("s1")), deleted.Event);
        Assert.Equal(ErrorKind.NotFound, again.Error.Kind);
    }

    [SkippableFact]
    public async Task ProvisioningActor_should_refuse_numbers_and_secrets_already_in_use()
    {
        SkipUnlessAvailable();
        var authority = StartAuthority();
        await Provision(authority, new SavePartner(Samples.Partner("p1", "secret-1")),
            new SaveSubscriber(Samples.Subscriber("s1", "+19465559040", "+19465559041")));

        var did = await Send<Refused>(authority, new SaveSubscriber(Samples.Subscriber("s2", "+19465550000", "+19465559041")));
        var mobile = await Send<Refused>(authority, new SaveSubscriber(Samples.Subscriber("s2", "+19465559040", "+19465550000")));
        var didAsMobile = await Send<Refused>(authority, new SaveSubscriber(Samples.Subscriber("s2", "+19465550001", "+19465559040")));
        var secret = await Send<Refused>(authority, new SavePartner(Samples.Partner("p2", "secret-1")));

        Assert.Equal((ErrorKind.Conflict, ErrorCodes.DidInUse), (did.Error.Kind, did.Error.Code));
        Assert.Equal((ErrorKind.Conflict, ErrorCodes.MobileInUse), (mobile.Error.Kind, mobile.Error.Code));
        Assert.Equal(ErrorCodes.DidInUse, didAsMobile.Error.Code);
        Assert.Equal((ErrorKind.Conflict, ErrorCodes.ClientSecretInUse), (secret.Error.Kind, secret.Error.Code));
    }

    [SkippableFact]
    public async Task ProvisioningActor_should_let_exactly_one_of_two_concurrent_claims_of_a_number_win()
    {
        SkipUnlessAvailable();
        var authority = StartAuthority();
        await Provision(authority, new SavePartner(Samples.Partner()));

        // 100 distinct subscribers, plus 50 pairs of subscribers claiming the same DID, all at once
        var distinct = Enumerable.Range(0, 100)
            .Select(i => authority.Ask<object>(new SaveSubscriber(Samples.Subscriber($"d{i}", $"+1555100{i:D4}")), Timeout));
        var contested = Enumerable.Range(0, 50).SelectMany(i => new[]
        {
            authority.Ask<object>(new SaveSubscriber(Samples.Subscriber($"a{i}", $"+1555200{i:D4}", $"+1555300{i:D4}")), Timeout),
            authority.Ask<object>(new SaveSubscriber(Samples.Subscriber($"b{i}", $"+1555400{i:D4}", $"+1555300{i:D4}")), Timeout),
        });
        var replies = await Task.WhenAll(distinct.Concat(contested));

        var applied = replies.OfType<Applied>().ToList();
        Assert.Equal(150, applied.Count);
        Assert.Equal(50, replies.OfType<Refused>().Count(r => r.Error.Code == ErrorCodes.DidInUse));
        Assert.Equal(Enumerable.Range(2, 150).Select(i => (long)i), applied.Select(a => a.SequenceNr).Order());
    }

    [SkippableFact]
    public async Task ProvisioningActor_should_recover_the_catalog_from_the_journal_after_a_node_restart()
    {
        SkipUnlessAvailable();
        var authority = StartAuthority();
        await Provision(authority,
            new SavePartner(Samples.Partner("p1", "secret-1")),
            new SaveRecordingServer(Samples.RecordingServer("rs1")),
            new SaveGroup(Samples.Group("g1", "rs1")),
            new SaveSubscriber(Samples.Subscriber("s1", "+19465559040", groupId: "g1")),
            new SaveSubscriber(Samples.Subscriber("s2", "+19465559050")),
            new DeleteSubscriber(new SubscriberId("s2")));

        await StopNodeAsync();
        await StartNodeAsync();
        var recovered = StartAuthority();

        // state came back: numbers, secrets and references are still enforced, deletions stayed deleted
        Assert.Equal(ErrorCodes.DidInUse,
            (await Send<Refused>(recovered, new SaveSubscriber(Samples.Subscriber("s9", "+19465559040")))).Error.Code);
        Assert.Equal(ErrorCodes.ClientSecretInUse,
            (await Send<Refused>(recovered, new SavePartner(Samples.Partner("p9", "secret-1")))).Error.Code);
        Assert.Equal(ErrorCodes.RecordingServerInUse,
            (await Send<Refused>(recovered, new DeleteRecordingServer(new RecordingServerId("rs1")))).Error.Code);
        Assert.Equal(ErrorKind.NotFound,
            (await Send<Refused>(recovered, new DeleteSubscriber(new SubscriberId("s2")))).Error.Kind);
        var unchanged = await Send<Applied>(recovered, new SaveSubscriber(Samples.Subscriber("s1", "+19465559040", groupId: "g1")));
        Assert.Equal((6L, (IProvisioningEvent?)null), (unchanged.SequenceNr, unchanged.Event));
    }

    [SkippableFact]
    public async Task ProvisioningActor_should_snapshot_every_n_events_and_recover_from_the_snapshot_and_later_events()
    {
        SkipUnlessAvailable();
        var authority = StartAuthority(snapshotEvery: 3);
        await Provision(authority, new SavePartner(Samples.Partner()));
        for (var i = 0; i < 6; i++)
            await Provision(authority, new SaveSubscriber(Samples.Subscriber($"s{i}", $"+1946555900{i}")));

        await AwaitAssertAsync(async () => Assert.Equal(6, await LatestSnapshotSequenceNr()));

        await StopNodeAsync();
        await StartNodeAsync();
        var recovered = StartAuthority(snapshotEvery: 3);

        for (var i = 0; i < 6; i++)
        {
            var refused = await Send<Refused>(recovered, new SaveSubscriber(Samples.Subscriber($"x{i}", $"+1946555900{i}")));
            Assert.Equal(ErrorCodes.DidInUse, refused.Error.Code);
        }
        Assert.Equal(ErrorCodes.PartnerInUse, (await Send<Refused>(recovered, new DeletePartner(new PartnerId("p1")))).Error.Code);
    }

    [SkippableFact]
    public async Task ProvisioningActor_should_space_its_snapshots_by_a_fraction_of_the_catalog_once_that_is_more()
    {
        SkipUnlessAvailable();
        // at least 2 events apart, and at least half the catalog's entries: snapshots after events
        // 2 (2 entries), 4 (4 entries), 7 (7 entries), then not before 13; every 2 would give 12
        var authority = StartAuthority(snapshotEvery: 2, snapshotEveryFraction: 0.5);
        await Provision(authority, new SavePartner(Samples.Partner()));
        for (var i = 0; i < 11; i++)
            await Provision(authority, new SaveSubscriber(Samples.Subscriber($"s{i}", $"+1946555{9000 + i}")));

        await AwaitAssertAsync(async () => Assert.Equal(7, await LatestSnapshotSequenceNr()));
    }

    /// <summary>The sequence number of the authority's latest snapshot; null when there is none.</summary>
    private async Task<long?> LatestSnapshotSequenceNr()
    {
        var snapshotStore = Akka.Persistence.Persistence.Instance.Apply(System).SnapshotStoreFor(null);
        var loaded = await snapshotStore.Ask<LoadSnapshotResult>(
            new LoadSnapshot(ProvisioningActor.Id, SnapshotSelectionCriteria.Latest, long.MaxValue), Timeout);
        return loaded.Snapshot?.Metadata.SequenceNr;
    }

    private static async Task AwaitAssertAsync(Func<Task> assertion)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            try
            {
                await assertion();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}

public sealed class SqliteProvisioningActorSpecs(ITestOutputHelper output) : ProvisioningActorSpecs(output)
{
    protected override Task<TestStorage?> CreateStorageAsync() => Task.FromResult<TestStorage?>(new TestStorage.Sqlite());

    protected override void SkipUnlessAvailable() { }
}

public sealed class PostgresProvisioningActorSpecs(ITestOutputHelper output) : ProvisioningActorSpecs(output)
{
    private PostgresDatabase? _database;

    protected override async Task<TestStorage?> CreateStorageAsync()
    {
        if (PostgresDatabase.ServerConnectionString is null)
            return null;
        _database = await PostgresDatabase.CreateAsync();
        return new TestStorage.Postgres(_database.ConnectionString);
    }

    protected override async ValueTask DisposeStorageAsync()
    {
        if (_database is not null)
            await _database.DisposeAsync();
    }

    protected override void SkipUnlessAvailable() => PostgresDatabase.SkipUnlessConfigured();
}
