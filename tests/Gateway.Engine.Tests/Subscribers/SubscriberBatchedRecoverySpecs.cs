using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;
using Gateway.Engine.Delivery;
using Gateway.Engine.Provisioning;
using Gateway.Engine.Storage;
using Gateway.Engine.Subscribers;
using Gateway.Testing;
using LinqToDB.Data;
using Npgsql;
using Microsoft.Extensions.DependencyInjection;
using static Gateway.Domain.Provisioning.ProvisioningEvents;
using static Gateway.Engine.Subscribers.SubscriberProtocol;

namespace Gateway.Engine.Tests.Subscribers;

/// <summary>
/// Many subscriber entities, on a node wired as in production (the batched journal and snapshot
/// store of hocon/storage-*.hocon), recover together after a restart: each gets its own queue back
/// (from its snapshot and the events after it) and numbers its next event right after its last.
/// Run on SQLite always and on PostgreSQL when <c>GATEWAY_POSTGRES</c> is set.
/// </summary>
public abstract class SubscriberBatchedRecoverySpecs : IAsyncLifetime
{
    private const int Entities = 200;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    // Entities written to at once: each snapshot save of the plugin opens a connection of its own.
    private const int WritingAtOnce = 10;

    private static readonly SubscriberSettings Settings = new(
        RetryInterval: TimeSpan.FromMinutes(5),
        MessageTtl: TimeSpan.FromDays(7),
        EgressInterval: TimeSpan.FromMilliseconds(10),
        ReassemblyTimeout: TimeSpan.FromMinutes(5),
        PassivateAfter: TimeSpan.FromMinutes(2),
        LaneIdleAfter: TimeSpan.FromSeconds(5),
        SnapshotEvery: 3,
        Shards: 10,
        AcceptTimeout: TimeSpan.FromSeconds(5),
        AcceptReplyGrace: TimeSpan.FromSeconds(2));

    private readonly TempDirectory _data = new();
    private readonly SilentNetwork _network = new();
    private TestStorage? _storage;

    protected abstract Task<TestStorage?> CreateStorageAsync();

    protected virtual ValueTask DisposeStorageAsync() => ValueTask.CompletedTask;

    protected abstract void SkipUnlessAvailable();

    public async Task InitializeAsync() => _storage = await CreateStorageAsync();

    public async Task DisposeAsync()
    {
        await DisposeStorageAsync();
        _data.Dispose();
    }

    [SkippableFact]
    public async Task Subscriber_entities_recovering_together_should_each_get_their_queue_and_next_sequence_number()
    {
        SkipUnlessAvailable();
        var ids = Enumerable.Range(0, Entities).Select(i => $"r{i}").ToList();
        // 0 to 7 messages each: no snapshot, a snapshot with or without events after it, two snapshots.
        static int MessagesOf(int i) => i % 8;
        List<MessageId>[] accepted;

        await using (var node = await StartNodeAsync(ids))
        {
            accepted = await Limited.SelectAsync(ids, WritingAtOnce, async (id, i) =>
            {
                var entity = StartEntity(node, id);
                var accepted = new List<MessageId>();
                for (var m = 0; m < MessagesOf(i); m++)
                    accepted.Add((await entity.Ask<Accepted>(Terminate(id, m), Timeout)).Id!.Value);
                return accepted;
            });
            await WaitForSnapshotsAsync(node, ids.Select((id, i) => (id, MessagesOf(i))));
        }

        await using (var node = await StartNodeAsync(ids))
        {
            var entities = ids.Select(id => StartEntity(node, id)).ToList(); // all at once
            var queues = await Task.WhenAll(entities.Select((entity, i) => entity.Ask<QueueView>(new GetQueue(ids[i]), Timeout)));
            for (var i = 0; i < Entities; i++)
            {
                Assert.Equal(accepted[i], queues[i].Mt.Select(item => item.Id));
                Assert.Empty(queues[i].Mo);
            }

            var next = await Limited.SelectAsync(entities, WritingAtOnce, async (entity, i) =>
                (await entity.Ask<Accepted>(Terminate(ids[i], MessagesOf(i)), Timeout)).Id!.Value);
            var journal = PersistenceQuery.Get(node.System).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
            for (var i = 0; i < Entities; i++)
            {
                var events = await journal.CurrentEventsByPersistenceId($"subscriber-{ids[i]}", 0, long.MaxValue)
                    .RunWith(Sink.Seq<EventEnvelope>(), node.System.Materializer());
                Assert.Equal(Enumerable.Range(1, MessagesOf(i) + 1).Select(n => (long)n), events.Select(e => e.SequenceNr));
                Assert.Equal(accepted[i].Append(next[i]), events.Select(e => Assert.IsType<MessageAccepted>(e.Event).Message.Id));
            }
        }
    }

    private async Task<TestNode> StartNodeAsync(IReadOnlyList<string> ids)
    {
        var node = await TestNode.StartAsync(_data.Path, _storage!);
        var catalog = Catalog.Empty.Apply(new PartnerSaved(Samples.Partner()));
        for (var i = 0; i < ids.Count; i++)
            catalog = catalog.Apply(new SubscriberSaved(Samples.Subscriber(ids[i], $"+1946555{i:D4}", $"+1946556{i:D4}")));
        var directory = node.Services.GetRequiredService<ProvisioningDirectory>();
        directory.Reset(catalog, ids.Count + 1);
        directory.MarkLoaded();
        return node;
    }

    private IActorRef StartEntity(TestNode node, string id) =>
        node.System.ActorOf(SubscriberEntity.Props(new SubscriberId(id), Settings,
            node.Services.GetRequiredService<ProvisioningDirectory>(), _network, new SilentWebhook()));

    private static AcceptTermination Terminate(string id, int number) =>
        new(id, new MessageContent(MessageType.Sms, "ACME", ["+12145555273"], "+12145555273", $"message {number} to {id}", []));

    /// <summary>Waits until every entity's latest snapshot (one every 3 events) is in the snapshot table.</summary>
    private static async Task WaitForSnapshotsAsync(TestNode node, IEnumerable<(string Id, int Events)> entities)
    {
        var expected = entities.Where(e => e.Events >= Settings.SnapshotEvery)
            .ToDictionary(e => $"subscriber-{e.Id}", e => (long)(e.Events / Settings.SnapshotEvery * Settings.SnapshotEvery));
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            await using (var db = new DataConnection(JournalStorage.CreateDataOptions(node.Settings.Storage)))
            {
                var latest = (await db.QueryToListAsync(reader => (Id: reader.GetString(0), SequenceNr: reader.GetInt64(1)),
                        "SELECT persistence_id, MAX(sequence_number) FROM snapshot GROUP BY persistence_id"))
                    .ToDictionary(row => row.Id, row => row.SequenceNr);
                if (expected.All(e => latest.GetValueOrDefault(e.Key) == e.Value))
                    return;
            }
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException("The snapshots were not all saved in time.");
            await Task.Delay(50);
        }
    }

    /// <summary>A network that never answers: a message stays at the head of its queue, and no attempt is journaled.</summary>
    private sealed class SilentNetwork : IMobileNetwork
    {
        private readonly TaskCompletionSource<DeliveryOutcome> _never = new();

        public Task<DeliveryOutcome> SubmitAsync(NetworkSubmission submission, CancellationToken cancellationToken) => _never.Task;
    }

    private sealed class SilentWebhook : IPartnerWebhook
    {
        private readonly TaskCompletionSource<DeliveryOutcome> _never = new();

        public Task<DeliveryOutcome> PostAsync(WebhookTarget target, OriginationEvent message, CancellationToken cancellationToken) => _never.Task;
    }
}

[Collection(SubscriberEntityCollection.Name)]
public sealed class SqliteSubscriberBatchedRecoverySpecs : SubscriberBatchedRecoverySpecs
{
    protected override Task<TestStorage?> CreateStorageAsync() => Task.FromResult<TestStorage?>(new TestStorage.Sqlite());

    protected override void SkipUnlessAvailable() { }
}

[Collection(SubscriberEntityCollection.Name)]
public sealed class PostgresSubscriberBatchedRecoverySpecs : SubscriberBatchedRecoverySpecs
{
    private PostgresDatabase? _database;

    protected override async Task<TestStorage?> CreateStorageAsync()
    {
        if (PostgresDatabase.ServerConnectionString is null)
            return null;
        _database = await PostgresDatabase.CreateAsync();
        // Up to 50 recoveries at once replay on connections of their own: a bounded pool keeps this
        // class within its share of the server's connections while other classes run alongside.
        return new TestStorage.Postgres(new NpgsqlConnectionStringBuilder(_database.ConnectionString) { MaxPoolSize = 20 }.ConnectionString);
    }

    protected override async ValueTask DisposeStorageAsync()
    {
        if (_database is not null)
            await _database.DisposeAsync();
    }

    protected override void SkipUnlessAvailable() => PostgresDatabase.SkipUnlessConfigured();
}
