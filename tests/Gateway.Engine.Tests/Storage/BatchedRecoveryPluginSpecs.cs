using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Event;
using Akka.Pattern;
using Akka.Persistence;
using Akka.Persistence.Sql.Config;
using Gateway.Engine.Configuration;
using Gateway.Engine.Storage;
using Gateway.Engine.Storage.Recovery;
using Gateway.Engine.Tests.Subscribers;
using Gateway.Testing;
using System.Data;
using LinqToDB;
using Npgsql;
using LinqToDB.Data;
using Xunit.Abstractions;
using static Gateway.Engine.Tests.Storage.BatchQueryProbe;

namespace Gateway.Engine.Tests.Storage;

/// <summary>
/// The batched journal and snapshot store (hocon/storage-*.hocon) against a real database, in an
/// actor system of their own next to copies of the plugin's base classes on the same tables: the
/// answers are the base classes' answers, recoveries started together share their queries, a failed
/// batch query fails every recovery in it, and other persistence ids never reach the batches.
/// Run on SQLite always and on PostgreSQL when <c>GATEWAY_POSTGRES</c> is set.
/// </summary>
public abstract class BatchedRecoveryPluginSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    // 200 recoveries against a PostgreSQL server that the other test classes load at the same time
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    // Each snapshot save of the base class opens a connection of its own.
    private const int SeedingAtOnce = 10;
    private const string BaseJournal = "akka.persistence.journal.sql-base";
    private const string BaseSnapshotStore = "akka.persistence.snapshot-store.sql-base";

    private readonly TempDirectory _data = new();
    private readonly List<ActorSystem> _systems = [];
    private TestStorage? _storage;

    protected abstract Task<TestStorage?> CreateStorageAsync();

    protected virtual ValueTask DisposeStorageAsync() => ValueTask.CompletedTask;

    protected abstract void SkipUnlessAvailable();

    public async Task InitializeAsync() => _storage = await CreateStorageAsync();

    public async Task DisposeAsync()
    {
        foreach (var system in _systems)
            await system.Terminate();
        await DisposeStorageAsync();
        _data.Dispose();
    }

    [SkippableFact]
    public async Task The_batched_plugins_should_answer_exactly_what_the_base_plugins_answer()
    {
        SkipUnlessAvailable();
        var probe = new BatchQueryProbe();
        var system = StartSystem(probe);
        var subscribers = Enumerable.Range(0, 30).Select(i => $"subscriber-eq{i}").ToList();
        string[] others = ["provisioning", "other-eq"];
        for (var i = 0; i < subscribers.Count; i++)
            await SeedAsync(system, subscribers[i], events: i % 10, snapshotEarly: i % 3 == 0, snapshotLate: i % 2 == 0, deleteUpTo: i % 7 == 1 ? i % 10 - 1 : 0);
        foreach (var other in others)
            await SeedAsync(system, other, events: 7, snapshotEarly: true, snapshotLate: true, deleteUpTo: 0);
        probe.Clear();

        var persistence = Persistence.Instance.Apply(system);
        var (journal, baseJournal) = (persistence.JournalFor(null), persistence.JournalFor(BaseJournal));
        var (store, baseStore) = (persistence.SnapshotStoreFor(null), persistence.SnapshotStoreFor(BaseSnapshotStore));
        var highestQuestions = subscribers.Concat(others)
            .SelectMany(id => new long[] { 1, 2, 3, 5, 9, 10, 12 }.Select(from => (Id: id, From: from)))
            .ToList();
        var snapshotQuestions = subscribers.Concat(others)
            .SelectMany(id => new[] { SnapshotSelectionCriteria.Latest, new SnapshotSelectionCriteria(3) }.Select(criteria => (Id: id, Criteria: criteria)))
            .ToList();

        // All at once to the batched plugins, so that they see many questions together; one after
        // the other to the base classes, which open a connection per question (PostgreSQL has 100).
        var batchedHighest = await Task.WhenAll(highestQuestions.Select(q => HighestAsync(journal, q.Id, q.From)));
        var batchedSnapshots = await Task.WhenAll(snapshotQuestions.Select(q => SnapshotAsync(store, q.Id, q.Criteria)));
        var baseHighest = new List<long>();
        foreach (var (id, from) in highestQuestions)
            baseHighest.Add(await HighestAsync(baseJournal, id, from));
        var baseSnapshots = new List<(string, long, long, object)?>();
        foreach (var (id, criteria) in snapshotQuestions)
            baseSnapshots.Add(await SnapshotAsync(baseStore, id, criteria));

        Assert.Equal(baseHighest, batchedHighest);
        Assert.Equal(baseSnapshots, batchedSnapshots);
        Assert.Contains(baseSnapshots, s => s is not null && s.Value.Item2 > 3); // the latest, not only the bounded ones
        Assert.Contains(baseHighest, h => h > 0);
        // Only subscribers' questions with the "latest" criteria were batched, and they shared queries.
        Assert.All(probe.Queries.SelectMany(q => q.PersistenceIds), id => Assert.StartsWith("subscriber-", id));
        Assert.Equal(subscribers.Order(), probe.Of(Kind.HighestSequenceNr).SelectMany(ids => ids).Distinct().Order());
        Assert.InRange(probe.Of(Kind.HighestSequenceNr).Count, 1, highestQuestions.Count(q => q.Id.StartsWith("subscriber-")) - 1);
        Assert.Equal(subscribers.Order(), probe.Of(Kind.LatestSnapshot).SelectMany(ids => ids).Distinct().Order());
        Assert.InRange(probe.Of(Kind.LatestSnapshot).Count, 1, subscribers.Count - 1);
    }

    [SkippableFact]
    public async Task Recoveries_started_together_should_share_their_queries_and_each_recover_its_own_state()
    {
        SkipUnlessAvailable();
        const int Entities = 200;
        var ids = Enumerable.Range(0, Entities).Select(i => $"subscriber-r{i}").ToList();
        var seeding = StartSystem(new BatchQueryProbe());
        await Limited.ForEachAsync(ids, SeedingAtOnce, (id, i) => SeedAsync(seeding, id, events: i % 7, snapshotEarly: i % 7 >= 3, snapshotLate: false, deleteUpTo: 0));
        await seeding.Terminate();

        var probe = new BatchQueryProbe();
        var system = StartSystem(probe);
        var recorders = ids.Select(id => system.ActorOf(Recorder.Props(id))).ToList();
        var states = await Task.WhenAll(recorders.Select(r => r.Ask<Recorder.State>(new Recorder.GetState(), Timeout)));

        for (var i = 0; i < Entities; i++)
            Assert.Equal(ExpectedState(ids[i], events: i % 7, snapshotAt: i % 7 >= 3 ? 3 : 0).ToString(), states[i].ToString());
        var highest = probe.Of(Kind.HighestSequenceNr);
        var snapshots = probe.Of(Kind.LatestSnapshot);
        output.WriteLine($"highest sequence number batches: {string.Join(" ", highest.Select(b => b.Length))}");
        output.WriteLine($"latest snapshot batches: {string.Join(" ", snapshots.Select(b => b.Length))}");
        Assert.Equal(Entities, highest.Sum(batch => batch.Length));
        Assert.Equal(Entities, snapshots.Sum(batch => batch.Length));
        Assert.True(highest.Count < Entities / 2, $"{highest.Count} highest sequence number queries for {Entities} recoveries");
        Assert.True(snapshots.Count < Entities / 2, $"{snapshots.Count} snapshot queries for {Entities} recoveries");

        // Each numbers its next event right after the highest one recovered.
        var written = await Task.WhenAll(recorders.Select(r => r.Ask<Recorder.Done>(new Recorder.Record(1), Timeout)));
        Assert.Equal(Enumerable.Range(0, Entities).Select(i => (long)(i % 7 + 1)), written.Select(done => done.SequenceNr));
    }

    [SkippableTheory]
    [InlineData(Kind.LatestSnapshot)]
    [InlineData(Kind.HighestSequenceNr)]
    public async Task A_failed_batch_query_should_fail_every_recovery_in_it_and_a_later_recovery_should_succeed(Kind failing)
    {
        SkipUnlessAvailable();
        const int Entities = 20;
        var ids = Enumerable.Range(0, Entities).Select(i => $"subscriber-f{i}").ToList();
        var probe = new BatchQueryProbe();
        var system = StartSystem(probe, """
            akka.persistence.journal.sql.circuit-breaker.reset-timeout = 5s
            akka.persistence.snapshot-store.sql.circuit-breaker.reset-timeout = 5s
            """);
        await Limited.ForEachAsync(ids, SeedingAtOnce, (id, _) => SeedAsync(system, id, events: 4, snapshotEarly: true, snapshotLate: false, deleteUpTo: 0));
        probe.Clear();

        probe.Fail(failing);
        var outcomes = await Task.WhenAll(ids.Select(id => RecoverAsync(system, id)));
        probe.Fail(failing, false);

        Assert.All(outcomes, Assert.Null); // every recovery failed and its actor stopped
        var failedQueries = probe.Of(failing);
        Assert.Contains(failedQueries, ids => ids.Length > 1); // a query of several recoveries failed them all
        // The plugin's circuit breaker counted the failures (10 by default open it) and answers at once for a while.
        var error = failing == Kind.LatestSnapshot
            ? (await Persistence.Instance.Apply(system).SnapshotStoreFor(null)
                .Ask<ISnapshotResponse>(new LoadSnapshot(ids[0], SnapshotSelectionCriteria.Latest, long.MaxValue), Timeout) as LoadSnapshotFailed)?.Cause
            : (await Persistence.Instance.Apply(system).JournalFor(null)
                .Ask<object>(replyTo => new ReplayMessages(1, 0, 0, ids[0], replyTo), Timeout, CancellationToken.None) as ReplayMessagesFailure)?.Cause;
        Assert.IsType<OpenCircuitException>(error);

        foreach (var id in ids)
        {
            var state = await EventuallyAsync(() => RecoverAsync(system, id));
            Assert.Equal(ExpectedState(id, events: 4, snapshotAt: 3).ToString(), state.ToString());
        }
    }

    [SkippableFact]
    public async Task A_recovery_should_read_the_highest_sequence_number_after_the_entitys_write_still_under_way()
    {
        SkipUnlessAvailable();
        const string Id = "subscriber-w1";
        var system = StartSystem(new BatchQueryProbe());
        await SeedAsync(system, Id, events: 2, snapshotEarly: false, snapshotLate: false, deleteUpTo: 0);

        Task<Recorder.State> recovered;
        var writesBlocked = await BlockJournalWritesAsync(system);
        try
        {
            // The third event's write waits for the lock; its entity stops meanwhile and starts again.
            var first = system.ActorOf(Recorder.Props(Id));
            await first.Ask<Recorder.State>(new Recorder.GetState(), Timeout); // recovered: the record below is written at once
            first.Tell(new Recorder.Record(1));
            await Task.Delay(300);
            first.Tell(PoisonPill.Instance);
            await first.WatchAsync().WaitAsync(Timeout);
            recovered = system.ActorOf(Recorder.Props(Id)).Ask<Recorder.State>(new Recorder.GetState(), Timeout);
            await Task.Delay(700);
            Assert.False(recovered.IsCompleted, $"The recovery did not wait for the write under way: {(recovered.IsCompletedSuccessfully ? recovered.Result : recovered.Exception)}");
        }
        finally
        {
            await writesBlocked.DisposeAsync(); // well within the writer's busy timeout (5 s)
        }
        Assert.Equal(ExpectedState(Id, events: 3, snapshotAt: 0).ToString(), (await recovered).ToString());
    }

    private ActorSystem StartSystem(BatchQueryProbe probe, string? extraHocon = null)
    {
        var local = "akka.actor.provider = local\n" + extraHocon;
        var config = TestNode.LoadConfig(_data.Path, _storage!, local);
        config = TestNode.LoadConfig(_data.Path, _storage!, local + BasePlugins(config));
        var storage = GatewaySettings.FromConfig(config).Storage;
        var connection = JournalStorage.CreateDataOptions(storage);
        var system = ActorSystem.Create("recovery", ActorSystemSetup.Create(
            BootstrapSetup.Create().WithConfig(config),
            new DataOptionsSetup(connection),
            new BatchedRecoverySetup(connection.UseInterceptor(probe), storage.BatchedRecovery)));
        _systems.Add(system);
        var errors = system.ActorOf(Props.Create(() => new LogForwarder(output)));
        system.EventStream.Subscribe(errors, typeof(Error));
        system.EventStream.Subscribe(errors, typeof(Warning));
        return system;
    }

    /// <summary>The system's errors and warnings in the test's output (its console is not captured).</summary>
    private sealed class LogForwarder : ReceiveActor
    {
        public LogForwarder(ITestOutputHelper output) =>
            ReceiveAny(message =>
            {
                try
                {
                    output.WriteLine(message.ToString());
                }
                catch (InvalidOperationException)
                {
                    // The test is over.
                }
            });
    }

    /// <summary>
    /// Holds the journal table's write lock until disposed (SQLite: the database's one writer lock;
    /// PostgreSQL: a lock that blocks inserts, not reads), so a write stays under way meanwhile.
    /// </summary>
    private static async Task<IAsyncDisposable> BlockJournalWritesAsync(ActorSystem system)
    {
        var storage = GatewaySettings.FromConfig(system.Settings.Config).Storage;
        var db = new DataConnection(JournalStorage.CreateDataOptions(storage));
        if (storage.Backend == StorageBackend.Sqlite)
        {
            await db.BeginTransactionAsync(IsolationLevel.Serializable); // BEGIN IMMEDIATE
        }
        else
        {
            await db.BeginTransactionAsync();
            await db.ExecuteAsync("LOCK TABLE journal IN EXCLUSIVE MODE");
        }
        return db; // disposing rolls the transaction back
    }

    /// <summary>The plugin's own classes on the same tables, with the same provider and read isolation.</summary>
    private static string BasePlugins(Config config)
    {
        static string Plugin(Config config, string path, string id, string className) => $$"""

            {{id}} {
              class = "{{className}}"
              plugin-id = "{{id}}"
              provider-name = "{{config.GetString(path + ".provider-name")}}"
              table-mapping = default
              auto-initialize = off
              read-isolation-level = {{config.GetString(path + ".read-isolation-level", "unspecified")}}
            }
            """;
        return Plugin(config, "akka.persistence.journal.sql", BaseJournal, "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql")
               + Plugin(config, "akka.persistence.snapshot-store.sql", BaseSnapshotStore, "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql");
    }

    /// <summary>
    /// Journals <paramref name="events"/> events under <paramref name="persistenceId"/>: a snapshot
    /// after the third (early) and after all (late) when asked, then the events up to
    /// <paramref name="deleteUpTo"/> deleted.
    /// </summary>
    private static async Task SeedAsync(ActorSystem system, string persistenceId, int events, bool snapshotEarly, bool snapshotLate, int deleteUpTo)
    {
        var recorder = system.ActorOf(Recorder.Props(persistenceId));
        var early = Math.Min(events, 3);
        await recorder.Ask<Recorder.Done>(new Recorder.Record(early), Timeout);
        if (snapshotEarly && early > 0)
            await recorder.Ask<Recorder.Done>(new Recorder.Snap(), Timeout);
        await recorder.Ask<Recorder.Done>(new Recorder.Record(events - early), Timeout);
        if (snapshotLate && events > early)
            await recorder.Ask<Recorder.Done>(new Recorder.Snap(), Timeout);
        if (deleteUpTo > 0)
            await recorder.Ask<Recorder.Done>(new Recorder.DeleteUpTo(deleteUpTo), Timeout);
        await recorder.GracefulStop(Timeout);
    }

    private static Recorder.State ExpectedState(string persistenceId, int events, int snapshotAt)
    {
        var all = Enumerable.Range(1, events).Select(n => $"{persistenceId}#{n}").ToList();
        return snapshotAt == 0
            ? new Recorder.State(null, all, events)
            : new Recorder.State($"{persistenceId}@{snapshotAt}: {string.Join(",", all.Take(snapshotAt))}", [.. all.Skip(snapshotAt)], events);
    }

    /// <summary>Starts a recorder: its state once recovered, or null when its recovery failed (it stopped).</summary>
    private static async Task<Recorder.State?> RecoverAsync(ActorSystem system, string persistenceId)
    {
        var recorder = system.ActorOf(Recorder.Props(persistenceId));
        var stopped = recorder.WatchAsync();
        var state = recorder.Ask<Recorder.State>(new Recorder.GetState(), Timeout);
        await Task.WhenAny(stopped, state);
        if (state.IsCompletedSuccessfully)
            return state.Result;
        await stopped.WaitAsync(Timeout);
        return null;
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> attempt) where T : class
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            if (await attempt() is { } result)
                return result;
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException("No attempt succeeded in time.");
            await Task.Delay(250);
        }
    }

    private static async Task<long> HighestAsync(IActorRef journal, string persistenceId, long fromSequenceNr)
    {
        // Up to sequence number 0: the journal answers with the highest number and replays nothing.
        var reply = await journal.Ask<object>(replyTo => new ReplayMessages(fromSequenceNr, 0, 0, persistenceId, replyTo), Timeout, CancellationToken.None);
        return reply is RecoverySuccess success
            ? success.HighestSequenceNr
            : throw new Xunit.Sdk.XunitException($"{persistenceId} from {fromSequenceNr}: {reply}");
    }

    private static async Task<(string PersistenceId, long SequenceNr, long TimestampTicks, object Snapshot)?> SnapshotAsync(
        IActorRef store, string persistenceId, SnapshotSelectionCriteria criteria)
    {
        var reply = await store.Ask<ISnapshotResponse>(new LoadSnapshot(persistenceId, criteria, long.MaxValue), Timeout);
        var result = Assert.IsType<LoadSnapshotResult>(reply);
        Assert.Equal(long.MaxValue, result.ToSequenceNr);
        return result.Snapshot is { } selected
            ? (selected.Metadata.PersistenceId, selected.Metadata.SequenceNr, selected.Metadata.Timestamp.Ticks, selected.Snapshot)
            : null;
    }
}

[Collection(SubscriberEntityCollection.Name)]
public sealed class SqliteBatchedRecoveryPluginSpecs(ITestOutputHelper output) : BatchedRecoveryPluginSpecs(output)
{
    protected override Task<TestStorage?> CreateStorageAsync() => Task.FromResult<TestStorage?>(new TestStorage.Sqlite());

    protected override void SkipUnlessAvailable() { }
}

[Collection(SubscriberEntityCollection.Name)]
public sealed class PostgresBatchedRecoveryPluginSpecs(ITestOutputHelper output) : BatchedRecoveryPluginSpecs(output)
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
