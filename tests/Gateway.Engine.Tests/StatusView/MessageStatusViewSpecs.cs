using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;
using Gateway.Domain.Sms;
using Gateway.Engine.Configuration;
using Gateway.Engine.Delivery;
using Gateway.Engine.Provisioning;
using Gateway.Engine.StatusView;
using Gateway.Engine.Storage;
using Gateway.Engine.Subscribers;
using Gateway.Engine.Tests.Subscribers;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Gateway.Domain.Provisioning.ProvisioningEvents;
using static Gateway.Engine.Subscribers.SubscriberProtocol;

namespace Gateway.Engine.Tests.StatusView;

/// <summary>
/// The message status view on a real journal: the projection follows subscriber entities through
/// each message's life, exactly once per event across a node restart, and the reader finds a message
/// as soon as it is journaled. Also the idempotency keys' table, from two nodes at once. SQLite
/// always, PostgreSQL when <c>GATEWAY_POSTGRES</c> is set.
/// </summary>
public abstract class MessageStatusViewSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static readonly SubscriberSettings Settings = new(
        RetryInterval: TimeSpan.FromMilliseconds(200),
        MessageTtl: TimeSpan.FromDays(7),
        EgressInterval: TimeSpan.FromMilliseconds(10),
        ReassemblyTimeout: TimeSpan.FromMinutes(5),
        PassivateAfter: TimeSpan.FromMinutes(2),
        LaneIdleAfter: TimeSpan.FromSeconds(5),
        SnapshotEvery: 4,
        Shards: 10,
        AcceptTimeout: TimeSpan.FromSeconds(5),
        AcceptReplyGrace: TimeSpan.FromSeconds(2));

    // Small batches, so that a catch-up spans several transactions.
    private static readonly MessageStatusSettings ViewSettings = new(
        PollInterval: TimeSpan.FromMilliseconds(50), BatchSize: 3, ReadWait: TimeSpan.FromSeconds(10),
        Retention: TimeSpan.FromDays(30), PruneInterval: TimeSpan.FromHours(1));

    private const string Did = "+19465559040";
    private const string Other = "+12145555273";

    private readonly TempDirectory _data = new();
    private readonly Network _network = new();
    private readonly Webhook _webhook = new();
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
    public async Task The_view_should_follow_every_message_through_its_life_exactly_once_across_a_restart()
    {
        SkipUnlessAvailable();
        Assert.True(SmsSegmenter.TrySegment("Four parts: " + new string('z', 200) + " 😀", 31, out var segmented, out _));
        Assert.Equal(4, segmented.Count);
        MessageId termination, mms, sms;

        await using (var node = await StartNodeAsync())
        {
            var (entity, reader) = Start(node);
            termination = (await entity.Ask<Accepted>(new AcceptTermination("s1",
                new MessageContent(MessageType.Sms, "ACME", [Did], Did, "Hello", [])), Timeout)).Id!.Value;
            // Found at once: the reader waits for the view to reach the journal's head.
            var accepted = await reader.FindAsync(termination, CancellationToken.None);
            Assert.NotNull(accepted);
            Assert.Equal((MessageDirection.Mt, MessageType.Sms, "s1", 1), (accepted.Direction, accepted.Type, accepted.SubscriberId, accepted.Segments));

            mms = (await entity.Ask<Accepted>(new ReceiveMms("s1", [Other], "pic", [new MediaItem("image/png", null, [1, 2, 3])]), Timeout)).Id!.Value;
            foreach (var part in segmented.Segments.Take(3))
                Assert.Null((await entity.Ask<Accepted>(Segment(part), Timeout)).Id);
            sms = (await entity.Ask<Accepted>(Segment(segmented[3]), Timeout)).Id!.Value;

            await Eventually(async () => await reader.FindAsync(termination, CancellationToken.None) is { Attempts: >= 2 }
                                         && await reader.FindAsync(mms, CancellationToken.None) is { Attempts: >= 1 });
            var queued = (await reader.FindAsync(termination, CancellationToken.None))!;
            Assert.Equal(MessageStatus.Queued, queued.Status);
            Assert.Equal("handset unreachable", queued.LastError);
            Assert.True(queued.UpdatedAt > queued.CreatedAt);
            var reassembled = (await reader.FindAsync(sms, CancellationToken.None))!;
            Assert.Equal((MessageDirection.Mo, MessageType.Sms, 4), (reassembled.Direction, reassembled.Type, reassembled.Segments));
            var picture = (await reader.FindAsync(mms, CancellationToken.None))!;
            Assert.Equal((MessageDirection.Mo, MessageType.Mms, (int?)null), (picture.Direction, picture.Type, picture.Segments));
        }

        _network.Reachable = true;
        _webhook.Reachable = true;
        await using (var node = await StartNodeAsync())
        {
            var (_, reader) = Start(node);
            await Eventually(async () =>
                await reader.FindAsync(termination, CancellationToken.None) is { Status: MessageStatus.Delivered }
                && await reader.FindAsync(mms, CancellationToken.None) is { Status: MessageStatus.Delivered }
                && await reader.FindAsync(sms, CancellationToken.None) is { Status: MessageStatus.Delivered });

            // Each journaled attempt counted once, although the view was written by two projections.
            var journaled = await AttemptsInJournal(node);
            foreach (var id in new[] { termination, mms, sms })
            {
                var record = (await reader.FindAsync(id, CancellationToken.None))!;
                Assert.Equal(journaled.GetValueOrDefault(id), record.Attempts);
            }
            Assert.Equal(1, journaled[sms]);
            Assert.Null(await reader.FindAsync(MessageId.New(DateTimeOffset.UtcNow), CancellationToken.None));
        }
    }

    [SkippableFact]
    public async Task Pruning_should_delete_only_final_rows_past_the_retention()
    {
        SkipUnlessAvailable();
        await using var database = new GatewayDatabase(StorageOf());
        var store = new MessageStatusStore(database);
        var old = DateTimeOffset.UtcNow.AddDays(-40);
        MessageStatusRecord Row(int n) => new(MessageId.Parse($"msg_{n:x32}"), "s1", MessageDirection.Mt, MessageType.Sms,
            MessageStatus.Accepted, 0, null, old, old, 1);
        await store.ApplyAsync([new MessageStatusCreated(Row(1)), new MessageStatusCreated(Row(2)), new MessageStatusCreated(Row(3)),
            new MessageStatusAttempted(Row(1).Id, MessageStatus.Delivered, null, old),
            new MessageStatusAttempted(Row(2).Id, MessageStatus.Queued, "handset unreachable", old),
            new MessageStatusAttempted(Row(3).Id, MessageStatus.Delivered, null, DateTimeOffset.UtcNow)], 6, CancellationToken.None);

        Assert.Equal(1, await store.PruneAsync(DateTimeOffset.UtcNow.AddDays(-30), CancellationToken.None));

        Assert.Null(await store.FindAsync(Row(1).Id, CancellationToken.None));
        Assert.Equal(MessageStatus.Queued, (await store.FindAsync(Row(2).Id, CancellationToken.None))!.Status);
        Assert.Equal(MessageStatus.Delivered, (await store.FindAsync(Row(3).Id, CancellationToken.None))!.Status);
        Assert.Equal(6, (await store.ReadProgressAsync(CancellationToken.None)).EventOffset);
    }

    [SkippableFact]
    public async Task A_withdrawal_should_delete_the_row_whether_it_started_in_the_same_run_or_an_earlier_one()
    {
        SkipUnlessAvailable();
        await using var database = new GatewayDatabase(StorageOf());
        var store = new MessageStatusStore(database);
        var at = DateTimeOffset.UtcNow;
        MessageStatusRecord Row(int n) => new(MessageId.Parse($"msg_{n:x32}"), "s1", MessageDirection.Mt, MessageType.Sms,
            MessageStatus.Accepted, 0, null, at, at, 1);
        await store.ApplyAsync([new MessageStatusCreated(Row(1)), new MessageStatusCreated(Row(2)),
            new MessageStatusWithdrawn(Row(2).Id)], 3, CancellationToken.None);
        Assert.NotNull(await store.FindAsync(Row(1).Id, CancellationToken.None));
        Assert.Null(await store.FindAsync(Row(2).Id, CancellationToken.None));

        // An earlier run's row is withdrawn; the same id is accepted again (a retried key) and delivered in this run.
        await store.ApplyAsync([new MessageStatusWithdrawn(Row(1).Id), new MessageStatusCreated(Row(1) with { CreatedAt = at.AddSeconds(9) }),
            new MessageStatusAttempted(Row(1).Id, MessageStatus.Delivered, null, at.AddSeconds(10))], 6, CancellationToken.None);

        var again = (await store.FindAsync(Row(1).Id, CancellationToken.None))!;
        Assert.Equal(MessageStatus.Delivered, again.Status);
        Assert.Equal(1, again.Attempts);
        Assert.Equal(at.AddSeconds(9).ToUnixTimeMilliseconds(), again.CreatedAt.ToUnixTimeMilliseconds());
    }

    [SkippableFact]
    public async Task An_idempotency_key_should_name_one_message_for_its_lifetime_whichever_node_claims_it()
    {
        SkipUnlessAvailable();
        await using var nodeA = new GatewayDatabase(StorageOf());
        await using var nodeB = new GatewayDatabase(StorageOf());
        var stores = new[] { new IdempotencyStore(nodeA), new IdempotencyStore(nodeB) };
        var ttl = TimeSpan.FromHours(24);
        var now = DateTimeOffset.UtcNow;

        // 20 concurrent first uses of one key, half through each node: one claim wins, all see it.
        var candidates = Enumerable.Range(0, 20).Select(i => new IdempotencyRecord("hash", MessageId.New(now), "s1", now)).ToList();
        var claims = await Task.WhenAll(candidates.Select((candidate, i) =>
            stores[i % 2].ClaimAsync("p1", "key-1", candidate, ttl, CancellationToken.None)));
        var winner = Assert.Single(claims, claim => claim.IsNew).Record;
        Assert.All(claims, claim => Assert.Equal(winner, claim.Record));
        Assert.Contains(winner.MessageId, candidates.Select(c => c.MessageId));

        // Another partner's key of the same name is its own.
        var otherPartner = new IdempotencyRecord("hash", MessageId.New(now), "s9", now);
        Assert.True((await stores[1].ClaimAsync("p2", "key-1", otherPartner, ttl, CancellationToken.None)).IsNew);

        // Within its lifetime the first claim holds, even for a different body (the caller answers 422).
        var later = new IdempotencyRecord("other-hash", MessageId.New(now), "s1", now.AddHours(23));
        Assert.Equal(new IdempotencyClaim(winner, false), await stores[1].ClaimAsync("p1", "key-1", later, ttl, CancellationToken.None));

        // After it, the key is free again.
        var dayAfter = new IdempotencyRecord("other-hash", MessageId.New(now), "s1", now.AddHours(24).AddSeconds(1));
        var renewed = await stores[0].ClaimAsync("p1", "key-1", dayAfter, ttl, CancellationToken.None);
        Assert.Equal((true, dayAfter.MessageId), (renewed.IsNew, renewed.Record.MessageId));

        // Released (its message was refused): claimable at once; a release naming another message does nothing.
        await stores[1].ReleaseAsync("p1", "key-1", winner.MessageId, CancellationToken.None);
        Assert.Equal(new IdempotencyClaim(renewed.Record, false), await stores[1].ClaimAsync("p1", "key-1", later, ttl, CancellationToken.None));
        await stores[1].ReleaseAsync("p1", "key-1", dayAfter.MessageId, CancellationToken.None);
        Assert.True((await stores[0].ClaimAsync("p1", "key-1", later, ttl, CancellationToken.None)).IsNew);

        Assert.Equal(1, await stores[0].PruneAsync(now.AddHours(1), CancellationToken.None)); // p2's, claimed at now
    }

    [SkippableFact]
    public async Task Every_copy_should_reach_the_backlog_exactly_once_across_a_restart()
    {
        SkipUnlessAvailable();
        Assert.True(SmsSegmenter.TrySegment("Two parts: " + new string('q', 150), 12, out var segmented, out _));
        _network.Reachable = true;
        MessageId termination, mms, sms;
        await using (var node = await StartNodeAsync(messageCopy: true))
        {
            var (entity, _) = Start(node);
            termination = (await entity.Ask<Accepted>(new AcceptTermination("s1",
                new MessageContent(MessageType.Sms, Other, [Did], Did, "Hi 😀", [])), Timeout)).Id!.Value;
            mms = (await entity.Ask<Accepted>(new ReceiveMms("s1", [Other, "+13125550000"], "pic", [new MediaItem("image/png", "a.png", [1, 2, 3])]), Timeout)).Id!.Value;
            Assert.Null((await entity.Ask<Accepted>(Segment(segmented[0]), Timeout)).Id);
            sms = (await entity.Ask<Accepted>(Segment(segmented[1]), Timeout)).Id!.Value;
            await Eventually(async () => await CopiesWaitingAsync(node) == 3);
        }
        await using (var node = await StartNodeAsync(messageCopy: true))
        {
            Start(node);
            await Task.Delay(500); // the new projection has caught up with nothing new to add
            Assert.Equal(3, await CopiesWaitingAsync(node));

            await using var database = new GatewayDatabase(node.Settings.Storage);
            var store = new MessageCopyStore(database);
            var keys = await store.OldestKeysAsync(new RecordingServerId("rs1"), 10, CancellationToken.None);
            Assert.Equal(new[] { $"{termination.Value}:mt", $"{mms.Value}:mo", $"{sms.Value}:mo" }.Order(StringComparer.Ordinal),
                keys.Order(StringComparer.Ordinal));
            var copies = new List<MessageCopy>();
            foreach (var key in keys)
                copies.Add((await store.FindAsync(key, CancellationToken.None))!.Copy);
            var byId = copies.ToDictionary(c => c.MessageId);
            Assert.Equal(("Hi 😀", MessageDirection.Mt, Other), (byId[termination].Content.Text, byId[termination].Direction, byId[termination].OtherParty()));
            Assert.Equal([1, 2, 3], byId[mms].Content.Media.Single().Content);
            Assert.Equal(Other, byId[mms].OtherParty());
            Assert.Equal("Two parts: " + new string('q', 150), byId[sms].Content.Text);
            Assert.All(copies, c => Assert.Equal(new CopySubscriber("acme.example", "+19465550001", Did, "s1"), c.Subscriber));
        }
    }

    [SkippableFact]
    public async Task The_copy_backlog_should_give_each_servers_copies_oldest_first_once_and_report_its_cycles()
    {
        SkipUnlessAvailable();
        await using var database = new GatewayDatabase(StorageOf());
        var store = new MessageCopyStore(database);
        var t0 = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds()); // stored to the millisecond
        MessageCopy Copy(int n, string server, int secondsAfter) => new(MessageId.Parse($"msg_{n:x32}"), MessageDirection.Mo,
            new RecordingServerId(server), t0.AddSeconds(secondsAfter), new CopySubscriber("acme.example", "+19465550001", Did, "s1"),
            new MessageContent(MessageType.Sms, Did, [Other], Did, $"text {n}", []));
        // Journal order is not capture order (two entities on two nodes); ties keep journal order.
        await InsertAsync(database, [(Copy(1, "rs1", 30), 1), (Copy(2, "rs1", 10), 2), (Copy(3, "rs2", 5), 3), (Copy(4, "rs1", 10), 4)]);
        await InsertAsync(database, [(Copy(2, "rs1", 10), 2)]); // inserted again: still one copy

        var rs1 = new RecordingServerId("rs1");
        Assert.Equal(["2:mo", "4:mo"], (await store.OldestKeysAsync(rs1, 2, CancellationToken.None)).Select(Short));
        Assert.Equal(["2:mo", "4:mo", "1:mo"], (await store.OldestKeysAsync(rs1, 50, CancellationToken.None)).Select(Short));
        var backlog = await store.BacklogAsync(t0.AddMinutes(1), CancellationToken.None);
        Assert.Equal([("rs1", 3L, t0.AddSeconds(10)), ("rs2", 1L, t0.AddSeconds(5))],
            backlog.Select(b => (b.RecordingServerId, b.Count, b.OldestCapturedAt!.Value)));
        Assert.Equal(TimeSpan.FromSeconds(50), backlog[0].OldestAge);
        Assert.Equal("text 2", (await store.FindAsync($"msg_{2:x32}:mo", CancellationToken.None))!.Copy.Content.Text);

        await store.DeleteAsync($"msg_{2:x32}:mo", CancellationToken.None);
        Assert.Null(await store.FindAsync($"msg_{2:x32}:mo", CancellationToken.None));
        await store.RecordCycleAsync(rs1, new OffloadCycleResult(t0.AddMinutes(4), 1, "https://rs1.example: 503 Service Unavailable"), t0.AddMinutes(5), CancellationToken.None);
        await store.RecordCycleAsync(rs1, new OffloadCycleResult(t0.AddMinutes(8), 2, null), t0.AddMinutes(9), CancellationToken.None);
        var after = (await store.BacklogAsync(t0.AddMinutes(10), CancellationToken.None)).Single(b => b.RecordingServerId == "rs1");
        Assert.Equal((2L, t0.AddMinutes(8), t0.AddMinutes(9), t0.AddMinutes(5), "https://rs1.example: 503 Service Unavailable"),
            (after.Count, after.LastCycleAt!.Value, after.LastSuccessAt!.Value, after.LastFailureAt!.Value, after.LastFailure));

        // A server is forgotten only once nothing waits for it.
        await store.ForgetAsync(rs1, CancellationToken.None);
        Assert.Contains(await store.BacklogAsync(t0, CancellationToken.None), b => b.RecordingServerId == "rs1");
        await store.DeleteAsync($"msg_{1:x32}:mo", CancellationToken.None);
        await store.DeleteAsync($"msg_{4:x32}:mo", CancellationToken.None);
        await store.ForgetAsync(rs1, CancellationToken.None);
        Assert.Equal(["rs2"], (await store.BacklogAsync(t0, CancellationToken.None)).Select(b => b.RecordingServerId));

        static string Short(string key) => key.TrimStart('m', 's', 'g', '_').TrimStart('0');
    }

    private static async Task InsertAsync(GatewayDatabase database, IReadOnlyList<(MessageCopy, long)> copies)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync();
        await MessageCopyStore.InsertAsync(connection, transaction, copies, CancellationToken.None);
        await transaction.CommitAsync();
    }

    private static async Task<long> CopiesWaitingAsync(TestNode node)
    {
        await using var database = new GatewayDatabase(node.Settings.Storage);
        return (await new MessageCopyStore(database).BacklogAsync(DateTimeOffset.UtcNow, CancellationToken.None)).Sum(b => b.Count);
    }

    private StorageSettings StorageOf() => TestNode.LoadConfig(_data.Path, _storage!) is var config
        ? GatewaySettings.FromConfig(config).Storage
        : throw new InvalidOperationException();

    private async Task<TestNode> StartNodeAsync(bool messageCopy = false)
    {
        var node = await TestNode.StartAsync(_data.Path, _storage!);
        var directory = node.Services.GetRequiredService<ProvisioningDirectory>();
        directory.Reset(Catalog.Empty
            .Apply(new PartnerSaved(Samples.Partner()))
            .Apply(new RecordingServerSaved(Samples.RecordingServer("rs1")))
            .Apply(new GroupSaved(Samples.Group("g1", messageCopy ? "rs1" : null)))
            .Apply(new SubscriberSaved(Samples.Subscriber("s1", "+19465550001", Did, groupId: "g1"))), 4);
        directory.MarkLoaded();
        return node;
    }

    private (IActorRef Entity, MessageStatusReader Reader) Start(TestNode node)
    {
        var entity = node.System.ActorOf(SubscriberEntity.Props(new SubscriberId("s1"), Settings,
            node.Services.GetRequiredService<ProvisioningDirectory>(), _network, _webhook));
        var database = new GatewayDatabase(node.Settings.Storage);
        node.System.ActorOf(MessageStatusProjection.Props(SqlReadJournal.Identifier, database, ViewSettings, TimeSpan.FromHours(24)));
        return (entity, new MessageStatusReader(database, new MessageStatusStore(database), ViewSettings, TimeProvider.System));
    }

    private static async Task<Dictionary<MessageId, int>> AttemptsInJournal(TestNode node)
    {
        var journal = PersistenceQuery.Get(node.System).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var events = await journal.CurrentEventsByPersistenceId("subscriber-s1", 0, long.MaxValue)
            .RunWith(Sink.Seq<EventEnvelope>(), node.System.Materializer());
        return events.Select(e => e.Event).OfType<DeliveryAttempted>().GroupBy(a => a.Id).ToDictionary(g => g.Key, g => g.Count());
    }

    private static ReceiveSmsSegment Segment(SmsSegment segment) =>
        new("s1", Other, segment.DataCoding, segment.HasUserDataHeader, segment.ShortMessage.ToArray());

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException("The condition did not hold in time.");
            await Task.Delay(50);
        }
    }

    private sealed class Network : IMobileNetwork
    {
        public volatile bool Reachable;

        public Task<DeliveryOutcome> SubmitAsync(NetworkSubmission submission, CancellationToken cancellationToken) =>
            Task.FromResult(Reachable ? DeliveryOutcome.Delivered : DeliveryOutcome.Temporary("handset unreachable"));
    }

    private sealed class Webhook : IPartnerWebhook
    {
        public volatile bool Reachable;

        public Task<DeliveryOutcome> PostAsync(WebhookTarget target, OriginationEvent message, CancellationToken cancellationToken) =>
            Task.FromResult(Reachable ? DeliveryOutcome.Delivered : DeliveryOutcome.Temporary("primary: 503 Service Unavailable"));
    }
}

[Collection(SubscriberEntityCollection.Name)]
public sealed class SqliteMessageStatusViewSpecs : MessageStatusViewSpecs
{
    protected override Task<TestStorage?> CreateStorageAsync() => Task.FromResult<TestStorage?>(new TestStorage.Sqlite());

    protected override void SkipUnlessAvailable() { }
}

[Collection(SubscriberEntityCollection.Name)]
public sealed class PostgresMessageStatusViewSpecs : MessageStatusViewSpecs
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
