using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Gateway.Domain.Addressing;
using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;
using Gateway.Engine.Configuration;
using Gateway.Engine.Provisioning;
using Gateway.Engine.Storage;
using Gateway.Northbound.Configuration;
using Gateway.Northbound.MessageCopies;
using Gateway.Testing;
using Xunit.Abstractions;
using static Gateway.Domain.Provisioning.ProvisioningEvents;

namespace Gateway.Northbound.Tests.MessageCopies;

/// <summary>
/// The Message Copy offload on virtual time (Akka's TestScheduler: 4-minute cycles run in
/// milliseconds), against the real backlog table in SQLite and a fake recording server that records
/// what it receives, when, and whether two requests ever overlapped.
/// </summary>
public sealed class RecordingServerOffloadSpecs : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly Config SpecConfig = ConfigurationFactory.ParseString("""
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        akka.loglevel = INFO
        """);

    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(4);

    private static readonly MessageCopySettings Settings = new(
        Interval: Interval, BatchSize: 50, RequestTimeout: TimeSpan.FromSeconds(10), RefreshInterval: TimeSpan.FromSeconds(15));

    private readonly TempDirectory _data = new();
    private readonly GatewayDatabase _database;
    private readonly MessageCopyStore _store;
    private readonly ProvisioningDirectory _directory = new();
    private readonly FakeRecordingServers _servers;
    private readonly TestScheduler _scheduler;
    private readonly DateTimeOffset _t0;
    private int _captured;

    public RecordingServerOffloadSpecs(ITestOutputHelper output) : base(SpecConfig, "offload-specs", output)
    {
        _scheduler = (TestScheduler)Sys.Scheduler;
        _t0 = _scheduler.Now;
        _servers = new FakeRecordingServers(_scheduler);
        _database = new GatewayDatabase(new StorageSettings(StorageBackend.Sqlite,
            new SqliteSettings(Path.Combine(_data.Path, "gateway.db"), SqliteSynchronous.Normal, TimeSpan.FromSeconds(5)), null,
            new BatchedRecoverySettings(200, TimeSpan.Zero)));
        _store = new MessageCopyStore(_database);
        _directory.Reset(Catalog.Empty
            .Apply(new RecordingServerSaved(Server("rs1")))
            .Apply(new RecordingServerSaved(Server("rs2"))), 2);
        _directory.MarkLoaded();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task The_first_cycle_should_start_one_interval_after_the_offload_and_the_next_one_an_interval_after_that()
    {
        var first = await CaptureAsync("rs1", 3);
        Start("rs1");

        Advance(Interval - TimeSpan.FromSeconds(1));
        Assert.Empty(_servers.Received);
        Advance(TimeSpan.FromSeconds(1));
        await UntilAsync(() => _servers.Received.Count == 3);
        var second = await CaptureAsync("rs1", 2);
        Advance(Interval - TimeSpan.FromSeconds(1));
        Assert.Equal(3, _servers.Received.Count);
        Advance(TimeSpan.FromSeconds(1));
        await UntilAsync(() => _servers.Received.Count == 5);

        Assert.Equal(first.Concat(second), _servers.Received.Select(r => r.Copy.MessageId));
        Assert.Equal([.. Enumerable.Repeat(_t0 + Interval, 3), .. Enumerable.Repeat(_t0 + 2 * Interval, 2)], _servers.Received.Select(r => r.At));
        Assert.Equal(0, await BacklogCountAsync("rs1"));
    }

    [Fact]
    public async Task A_cycle_should_post_at_most_a_batch_oldest_first_one_at_a_time()
    {
        _servers.Latency = TimeSpan.FromMilliseconds(2);
        var ids = await CaptureAsync("rs1", 120);
        Start("rs1");

        var perCycle = new List<int>();
        for (var cycle = 1; cycle <= 3; cycle++)
        {
            Advance(Interval);
            var expected = Math.Min(120, cycle * 50);
            await UntilAsync(() => _servers.Received.Count == expected);
            await Task.Delay(100); // nothing more arrives within the cycle
            perCycle.Add(_servers.Received.Count);
        }

        Assert.Equal([50, 100, 120], perCycle);
        Assert.Equal(ids, _servers.Received.Select(r => r.Copy.MessageId));
        Assert.Equal(1, _servers.MaxInFlight);
        Assert.Equal(0, await BacklogCountAsync("rs1"));
    }

    [Fact]
    public async Task A_failure_should_stop_the_cycle_and_the_copy_should_be_tried_again_next_cycle_deleted_only_on_2xx()
    {
        var ids = await CaptureAsync("rs1", 10);
        _servers.Answer = (_, copy) => copy.MessageId == ids[2] && _servers.Received.Count(r => r.Copy.MessageId == ids[2]) == 1
            ? new CopyPostResult("https://rs1.example: 503 Service Unavailable")
            : CopyPostResult.Accepted;
        Start("rs1");

        Advance(Interval);
        await UntilAsync(() => _servers.Received.Count == 3);
        await UntilAsync(async () => (await BacklogAsync("rs1"))?.LastFailure is not null);
        await Task.Delay(100);
        Assert.Equal(3, _servers.Received.Count);
        var afterFirst = (await BacklogAsync("rs1"))!;
        Assert.Equal(8, afterFirst.Count); // the failed copy stays, with everything after it
        Assert.Equal(Ms(_t0 + Interval), Ms(afterFirst.LastFailureAt!.Value));
        Assert.Equal("https://rs1.example: 503 Service Unavailable", afterFirst.LastFailure);
        Assert.Null(afterFirst.LastSuccessAt);

        Advance(Interval);
        await UntilAsync(() => _servers.Received.Count == 11);
        await UntilAsync(async () => (await BacklogAsync("rs1"))?.LastSuccessAt is not null);

        Assert.Equal([.. ids.Take(3), .. ids.Skip(2)], _servers.Received.Select(r => r.Copy.MessageId));
        var afterSecond = (await BacklogAsync("rs1"))!;
        Assert.Equal(0, afterSecond.Count);
        Assert.Equal(Ms(_t0 + Interval), Ms(afterSecond.LastFailureAt!.Value)); // the last failure stays visible
    }

    [Fact]
    public async Task A_cycle_longer_than_the_interval_should_delay_the_next_one_until_it_ends_and_never_overlap()
    {
        var ids = await CaptureAsync("rs1", 60);
        _servers.Hold(); // every POST waits until released
        Start("rs1");

        Advance(Interval);
        await UntilAsync(() => _servers.InFlight == 1);
        // Two more intervals pass while the first copy of the first cycle is still being posted.
        Advance(Interval);
        Advance(Interval);
        _servers.Release();
        // The second cycle starts as soon as the first ends (it ran over), not at a later tick.
        await UntilAsync(() => _servers.Received.Count == 60);
        Assert.Equal(_t0 + Interval, _servers.Received[0].At);
        Assert.All(_servers.Received.Skip(1), r => Assert.Equal(_t0 + 3 * Interval, r.At));
        Assert.Equal(1, _servers.MaxInFlight);

        // The third cycle is an interval after the second started.
        var more = await CaptureAsync("rs1", 1);
        Advance(Interval - TimeSpan.FromSeconds(1));
        await Task.Delay(100);
        Assert.Equal(60, _servers.Received.Count);
        Advance(TimeSpan.FromSeconds(1));
        await UntilAsync(() => _servers.Received.Count == 61);
        Assert.Equal([.. ids, .. more], _servers.Received.Select(r => r.Copy.MessageId));
    }

    [Fact]
    public async Task No_copy_should_be_lost_or_sent_twice_across_restarts_of_the_offload_while_the_server_is_down()
    {
        var ids = await CaptureAsync("rs1", 70);
        _servers.Answer = (_, _) => new CopyPostResult("https://rs1.example: connection refused");
        var offload = Start("rs1");
        for (var cycle = 0; cycle < 3; cycle++)
        {
            Advance(Interval);
            await UntilAsync(() => _servers.Received.Count == cycle + 1); // each cycle stops at its first copy
        }
        await StopAsync(offload);
        offload = Start("rs1"); // the node restarted while the server was down

        _servers.Answer = (_, _) => CopyPostResult.Accepted;
        Advance(Interval);
        await UntilAsync(() => _servers.Received.Count == 3 + 50);
        // The node goes down between two cycles; a new offload resumes after the copies answered 2xx.
        await StopAsync(offload);
        Start("rs1");
        Advance(Interval);
        await UntilAsync(() => _servers.Received.Count == 3 + 70);
        await Task.Delay(100);

        Assert.Equal(73, _servers.Received.Count);
        Assert.Equal(ids, _servers.Received.Skip(3).Select(r => r.Copy.MessageId));
        Assert.Equal(0, await BacklogCountAsync("rs1"));
    }

    [Fact]
    public async Task Recording_servers_should_be_offloaded_independently_by_the_cluster_wide_offload()
    {
        var slow = await CaptureAsync("rs1", 2);
        var fast = await CaptureAsync("rs2", 2);
        _servers.Hold("rs1");
        Sys.ActorOf(MessageCopyOffload.Props(_store, _directory, _servers, Settings));
        await Task.Delay(300); // the first refresh starts the two servers' offloads

        Advance(Interval);
        await UntilAsync(() => _servers.Received.Count(r => r.Server == "rs2") == 2);
        Assert.Equal(fast, _servers.Received.Where(r => r.Server == "rs2").Select(r => r.Copy.MessageId));
        Assert.DoesNotContain(_servers.Received, r => r.Server == "rs1");

        _servers.Release();
        await UntilAsync(() => _servers.Received.Count(r => r.Server == "rs1") == 2);
        Assert.Equal(slow, _servers.Received.Where(r => r.Server == "rs1").Select(r => r.Copy.MessageId));
        Assert.Equal(1, _servers.MaxInFlightPerServer);
    }

    [Fact]
    public async Task Copies_of_a_deleted_recording_server_should_wait_and_go_once_it_is_provisioned_again()
    {
        var ids = await CaptureAsync("rs3", 2);
        Start("rs3");

        Advance(Interval);
        await UntilAsync(async () => (await BacklogAsync("rs3"))?.LastFailure is not null);
        Assert.Empty(_servers.Received);
        Assert.Contains("not provisioned", (await BacklogAsync("rs3"))!.LastFailure);

        _directory.Apply(3, new RecordingServerSaved(Server("rs3")));
        Advance(Interval);
        await UntilAsync(() => _servers.Received.Count == 2);
        Assert.Equal(ids, _servers.Received.Select(r => r.Copy.MessageId));
    }

    private static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static RecordingServer Server(string id) =>
        new(new RecordingServerId(id), $"Recorder {id}", HttpUrl.Parse($"https://{id}.example/copies"), null);

    /// <summary>Starts a server's offload and returns once it has started (its first cycle is due an interval from now).</summary>
    private IActorRef Start(string server)
    {
        var offload = Sys.ActorOf(RecordingServerOffload.Props(new RecordingServerId(server), _store, _directory, _servers, Settings));
        offload.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(5)).Wait();
        return offload;
    }

    /// <summary>Stops an offload, as a node going down would.</summary>
    private async Task StopAsync(IActorRef offload)
    {
        Watch(offload);
        Sys.Stop(offload);
        ExpectTerminated(offload);
        await Task.Delay(50);
    }

    /// <summary>Adds copies to a server's backlog as the journal projection would, one millisecond apart.</summary>
    private async Task<IReadOnlyList<MessageId>> CaptureAsync(string server, int count)
    {
        var copies = Enumerable.Range(0, count).Select(_ =>
        {
            var n = Interlocked.Increment(ref _captured);
            var at = _t0.AddMilliseconds(n);
            var copy = new MessageCopy(MessageId.New(at), MessageDirection.Mt, new RecordingServerId(server), at,
                new CopySubscriber("acme.example", "+19465550001", "+19465559040", "s1"),
                new MessageContent(MessageType.Sms, "+12145555273", ["+19465559040"], "+19465559040", $"copy {n}", []));
            return (copy, (long)n);
        }).ToList();
        await using (var connection = await _database.OpenAsync(CancellationToken.None))
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await MessageCopyStore.InsertAsync(connection, transaction, copies, CancellationToken.None);
            await transaction.CommitAsync();
        }
        return [.. copies.Select(c => c.copy.MessageId)];
    }

    private async Task<RecordingServerBacklog?> BacklogAsync(string server) =>
        (await _store.BacklogAsync(_scheduler.Now, CancellationToken.None)).FirstOrDefault(b => b.RecordingServerId == server);

    private async Task<long> BacklogCountAsync(string server) => (await BacklogAsync(server))?.Count ?? 0;

    /// <summary>Moves virtual time on, a second at a time, giving the offload a moment to act after each step.</summary>
    private void Advance(TimeSpan by)
    {
        for (var moved = TimeSpan.Zero; moved < by; moved += TimeSpan.FromSeconds(1))
        {
            _scheduler.Advance(TimeSpan.FromSeconds(1) < by - moved ? TimeSpan.FromSeconds(1) : by - moved);
            if (moved.Ticks % TimeSpan.FromSeconds(30).Ticks == 0)
                Thread.Sleep(1);
        }
        Thread.Sleep(20);
    }

    private static Task UntilAsync(Func<bool> condition) => UntilAsync(() => Task.FromResult(condition()));

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException("The condition did not hold within 15 s (real time).");
            await Task.Delay(10);
        }
    }

    /// <summary>
    /// Recording servers that record each POST with its virtual time, answer as <see cref="Answer"/>
    /// says, can hold requests until released, and count requests in flight (overall and per server).
    /// </summary>
    private sealed class FakeRecordingServers(TestScheduler clock) : IRecordingServerClient
    {
        private readonly ConcurrentQueue<(string Server, MessageCopy Copy, DateTimeOffset At)> _received = new();
        private readonly ConcurrentDictionary<string, int> _inFlightPerServer = new();
        private volatile TaskCompletionSource _released = Released();
        private volatile string? _heldServer;
        private int _inFlight;
        private int _maxInFlight;
        private int _maxInFlightPerServer;

        public Func<string, MessageCopy, CopyPostResult> Answer { get; set; } = (_, _) => CopyPostResult.Accepted;

        public TimeSpan Latency { get; set; } = TimeSpan.Zero;

        public IReadOnlyList<(string Server, MessageCopy Copy, DateTimeOffset At)> Received => [.. _received];

        public int InFlight => Volatile.Read(ref _inFlight);

        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public int MaxInFlightPerServer => Volatile.Read(ref _maxInFlightPerServer);

        /// <summary>Holds every POST (or only <paramref name="server"/>'s) until <see cref="Release"/>.</summary>
        public void Hold(string? server = null)
        {
            _heldServer = server;
            _released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public void Release() => _released.TrySetResult();

        public async Task<CopyPostResult> PostAsync(RecordingServer server, MessageCopy copy, CancellationToken cancellationToken)
        {
            var id = server.Id.Value;
            var now = Interlocked.Increment(ref _inFlight);
            InterlockedMax(ref _maxInFlight, now);
            InterlockedMax(ref _maxInFlightPerServer, _inFlightPerServer.AddOrUpdate(id, 1, (_, n) => n + 1));
            try
            {
                var at = clock.Now;
                if (_heldServer is null || _heldServer == id)
                    await _released.Task.WaitAsync(cancellationToken);
                if (Latency > TimeSpan.Zero)
                    await Task.Delay(Latency, cancellationToken);
                _received.Enqueue((id, copy, at));
                return Answer(id, copy);
            }
            finally
            {
                _inFlightPerServer.AddOrUpdate(id, 0, (_, n) => n - 1);
                Interlocked.Decrement(ref _inFlight);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int current;
            while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
            {
            }
        }

        private static TaskCompletionSource Released()
        {
            var released = new TaskCompletionSource();
            released.SetResult();
            return released;
        }
    }
}
