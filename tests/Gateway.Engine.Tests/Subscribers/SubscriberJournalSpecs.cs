using System.Collections.Concurrent;
using Akka.Actor;
using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;
using Gateway.Domain.Sms;
using Gateway.Engine.Delivery;
using Gateway.Engine.Provisioning;
using Gateway.Engine.Subscribers;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Gateway.Domain.Provisioning.ProvisioningEvents;
using static Gateway.Engine.Subscribers.SubscriberProtocol;

namespace Gateway.Engine.Tests.Subscribers;

/// <summary>
/// A subscriber entity against a real journal and the gateway serializer: what it journaled (events
/// and snapshots, media and half-received SMS included) is all there after the whole node restarts.
/// Run on SQLite always and on PostgreSQL when <c>GATEWAY_POSTGRES</c> is set.
/// </summary>
public abstract class SubscriberJournalSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private static readonly SubscriberSettings Settings = new(
        RetryInterval: TimeSpan.FromMilliseconds(200),
        MessageTtl: TimeSpan.FromDays(7),
        EgressInterval: TimeSpan.FromMilliseconds(10),
        ReassemblyTimeout: TimeSpan.FromMinutes(5),
        PassivateAfter: TimeSpan.FromMinutes(2),
        LaneIdleAfter: TimeSpan.FromSeconds(5),
        SnapshotEvery: 3,
        Shards: 10,
        AcceptTimeout: TimeSpan.FromSeconds(5),
        AcceptReplyGrace: TimeSpan.FromSeconds(2));

    private const string Did = "+19465559040";
    private const string Other = "+12145555273";

    private readonly TempDirectory _data = new();
    private readonly SwitchableNetwork _network = new();
    private readonly SwitchableWebhook _webhook = new();
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
    public async Task What_an_entity_journaled_should_survive_a_restart_of_the_node()
    {
        SkipUnlessAvailable();
        Assert.True(SmsSegmenter.TrySegment("Half now, " + new string('h', 200) + " 😀", 77, out var segmented, out _));
        MessageId termination, mms;
        var media = new MediaItem("image/png", "a.png", [0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF]);

        await using (var node = await StartNodeAsync())
        {
            var entity = StartEntity(node);
            termination = (await entity.Ask<Accepted>(new AcceptTermination("s1",
                new MessageContent(MessageType.Sms, "ACME", [Did], Did, "Hello 😀", [])), Timeout)).Id!.Value;
            mms = (await entity.Ask<Accepted>(new ReceiveMms("s1", [Other, "+13125550000"], null, [media]), Timeout)).Id!.Value;
            Assert.Null((await entity.Ask<Accepted>(Segment(segmented[0]), Timeout)).Id);
            await Eventually(() => _network.Attempts >= 2 && _webhook.Attempts >= 2); // both in store and forward
        }

        _network.Reachable = true;
        _webhook.Reachable = true;
        await using (var node = await StartNodeAsync())
        {
            var entity = StartEntity(node);
            Assert.Equal(4, segmented.Count); // UCS-2: 213 units in 67-unit segments
            foreach (var rest in segmented.Segments.Skip(1).SkipLast(1))
                Assert.Null((await entity.Ask<Accepted>(Segment(rest), Timeout)).Id);
            var completed = (await entity.Ask<Accepted>(Segment(segmented[3]), Timeout)).Id!.Value;

            await Eventually(() => _network.Delivered.Count == 1 && _webhook.Delivered.Count == 2);
            var delivered = _network.Delivered.Single();
            Assert.Equal(termination, delivered.Id);
            Assert.Equal("Hello 😀", delivered.Content.Text);
            Assert.Equal([mms, completed], _webhook.Delivered.Select(m => m.Id));
            Assert.Equal(media.Content, _webhook.Delivered[0].Content.Media.Single().Content);
            Assert.Equal([Other, "+13125550000"], _webhook.Delivered[0].Content.To);
            Assert.Equal("Half now, " + new string('h', 200) + " 😀", _webhook.Delivered[1].Content.Text);
            var queue = await entity.Ask<QueueView>(new GetQueue("s1"), Timeout);
            Assert.Empty(queue.Mt);
            Assert.Empty(queue.Mo);
        }
    }

    private async Task<TestNode> StartNodeAsync()
    {
        var node = await TestNode.StartAsync(_data.Path, _storage!);
        var directory = node.Services.GetRequiredService<ProvisioningDirectory>();
        directory.Reset(Catalog.Empty
            .Apply(new PartnerSaved(Samples.Partner()))
            .Apply(new SubscriberSaved(Samples.Subscriber("s1", "+19465550001", Did))), 2);
        directory.MarkLoaded();
        return node;
    }

    private IActorRef StartEntity(TestNode node) =>
        node.System.ActorOf(SubscriberEntity.Props(new SubscriberId("s1"), Settings,
            node.Services.GetRequiredService<ProvisioningDirectory>(), _network, _webhook));

    private static ReceiveSmsSegment Segment(SmsSegment segment) =>
        new("s1", Other, segment.DataCoding, segment.HasUserDataHeader, segment.ShortMessage.ToArray());

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException("The condition did not hold in time.");
            await Task.Delay(20);
        }
    }

    private sealed class SwitchableNetwork : IMobileNetwork
    {
        private int _attempts;
        public volatile bool Reachable;
        public int Attempts => Volatile.Read(ref _attempts);
        public ConcurrentQueue<NetworkSubmission> Queue { get; } = new();
        public IReadOnlyList<NetworkSubmission> Delivered => [.. Queue];

        public Task<DeliveryOutcome> SubmitAsync(NetworkSubmission submission, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _attempts);
            if (!Reachable)
                return Task.FromResult(DeliveryOutcome.Temporary("handset unreachable"));
            Queue.Enqueue(submission);
            return Task.FromResult(DeliveryOutcome.Delivered);
        }
    }

    private sealed class SwitchableWebhook : IPartnerWebhook
    {
        private int _attempts;
        public volatile bool Reachable;
        public int Attempts => Volatile.Read(ref _attempts);
        private readonly ConcurrentQueue<OriginationEvent> _delivered = new();
        public IReadOnlyList<OriginationEvent> Delivered => [.. _delivered];

        public Task<DeliveryOutcome> PostAsync(WebhookTarget target, OriginationEvent message, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _attempts);
            if (!Reachable)
                return Task.FromResult(DeliveryOutcome.Temporary("primary: 503 Service Unavailable"));
            _delivered.Enqueue(message);
            return Task.FromResult(DeliveryOutcome.Delivered);
        }
    }
}

[Collection(SubscriberEntityCollection.Name)]
public sealed class SqliteSubscriberJournalSpecs : SubscriberJournalSpecs
{
    protected override Task<TestStorage?> CreateStorageAsync() => Task.FromResult<TestStorage?>(new TestStorage.Sqlite());

    protected override void SkipUnlessAvailable() { }
}

[Collection(SubscriberEntityCollection.Name)]
public sealed class PostgresSubscriberJournalSpecs : SubscriberJournalSpecs
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
