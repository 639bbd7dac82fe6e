using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Gateway.Domain.Messaging;
using Gateway.Engine.Configuration;
using Gateway.Engine.Storage;
using Gateway.Engine.Subscribers;

namespace Gateway.Engine.StatusView;

/// <summary>
/// Keeps the message status view (<see cref="MessageStatusStore"/>) up to date from the journal: every
/// <see cref="MessageStatusSettings.PollInterval"/> it reads the journal's events after its stored
/// offset, in journal order (a finite query, batched), turns the subscriber entities' ones into status
/// changes and applies each batch with the new offset in one transaction, then records the journal
/// head read before the query as the watermark readers wait for. Reading every event (not a tag)
/// spares the journal a tag row per event. One per cluster (a singleton); it also deletes rows and
/// idempotency keys past their lifetime. The Message Copies that subscriber events carry go into the copy
/// backlog (<see cref="MessageCopyStore"/>) in the same transactions, so each is added exactly once.
/// </summary>
public sealed class MessageStatusProjection : ReceiveActor, IWithTimers
{
    private const string PollTimer = "poll";
    private const string PruneTimer = "prune";

    private readonly string _readJournalId;
    private readonly ActorSystem _system = Context.System;
    private ICurrentAllEventsQuery? _journal;
    private readonly GatewayDatabase _database;
    private readonly MessageStatusStore _store;
    private readonly IdempotencyStore _idempotency;
    private readonly MessageStatusSettings _settings;
    private readonly TimeSpan _idempotencyKeyTtl;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _stopping = new();

    public MessageStatusProjection(string readJournalId, GatewayDatabase database, MessageStatusSettings settings, TimeSpan idempotencyKeyTtl)
    {
        _readJournalId = readJournalId;
        _database = database;
        _store = new MessageStatusStore(database);
        _idempotency = new IdempotencyStore(database);
        _settings = settings;
        _idempotencyKeyTtl = idempotencyKeyTtl;

        Receive<Poll>(_ => StartPoll());
        Receive<Polled>(polled =>
        {
            if (polled.Failure is { } failure)
                _log.Warning(failure, "Message status view: reading the journal failed; trying again in {0}", _settings.PollInterval);
            Timers.StartSingleTimer(PollTimer, Poll.Instance, _settings.PollInterval);
        });
        Receive<Prune>(_ => PruneAsync().PipeTo(Self));
        Receive<Pruned>(pruned =>
        {
            if (pruned.Failure is { } failure)
                _log.Warning(failure, "Message status view: pruning failed; trying again in {0}", _settings.PruneInterval);
            else if (pruned.Rows + pruned.Keys > 0)
                _log.Info("Message status view: deleted {0} old rows and {1} expired idempotency keys", pruned.Rows, pruned.Keys);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="readJournalId">The read journal plugin (resolved on the first poll: it waits for the journal, which may be down).</param>
    public static Props Props(string readJournalId, GatewayDatabase database, MessageStatusSettings settings, TimeSpan idempotencyKeyTtl) =>
        Akka.Actor.Props.Create(() => new MessageStatusProjection(readJournalId, database, settings, idempotencyKeyTtl));

    protected override void PreStart()
    {
        Self.Tell(Poll.Instance);
        Timers.StartPeriodicTimer(PruneTimer, Prune.Instance, TimeSpan.Zero, _settings.PruneInterval);
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void StartPoll() => PollAsync(Context.Materializer(), _stopping.Token).PipeTo(Self,
        success: () => new Polled(null), failure: ex => new Polled(ex));

    /// <summary>One catch-up: every event after the stored offset, up to the journal's head at the start.</summary>
    private async Task PollAsync(IMaterializer materializer, CancellationToken cancellationToken)
    {
        // SqlReadJournal's constructor blocks until the write journal has started (and created its
        // tables, which the head query reads): off the actor's thread, and first.
        _journal ??= await Task.Run(() => PersistenceQuery.Get(_system).ReadJournalFor<ICurrentAllEventsQuery>(_readJournalId), cancellationToken);
        var head = await _database.JournalHeadAsync(cancellationToken);
        var progress = await _store.ReadProgressAsync(cancellationToken);
        if (head > progress.EventOffset)
        {
            await _journal.CurrentAllEvents(Offset.Sequence(progress.EventOffset))
                .Grouped(_settings.BatchSize)
                .SelectAsync(1, batch => ApplyAsync(batch, cancellationToken))
                .RunWith(Sink.Ignore<NotUsed>(), materializer);
        }
        if (head > progress.JournalWatermark)
            await _store.AdvanceWatermarkAsync(head, cancellationToken);
    }

    private async Task<NotUsed> ApplyAsync(IEnumerable<EventEnvelope> batch, CancellationToken cancellationToken)
    {
        var changes = new List<MessageStatusChange>();
        var copies = new List<(MessageCopy, long)>();
        long offset = 0;
        foreach (var envelope in batch)
        {
            offset = ((Sequence)envelope.Offset).Value;
            if (envelope.Event is ISubscriberEvent @event && SubscriberEntity.SubscriberIdOf(envelope.PersistenceId) is { } subscriberId)
            {
                changes.AddRange(MessageStatusChanges.From(subscriberId, @event));
                foreach (var copy in CapturedCopies.In(@event))
                    copies.Add((copy, offset));
            }
        }
        await _store.ApplyAsync(changes, offset, cancellationToken, copies);
        return NotUsed.Instance;
    }

    private async Task<Pruned> PruneAsync()
    {
        try
        {
            var now = DateTimeOffset.UtcNow;
            var rows = await _store.PruneAsync(now - _settings.Retention, _stopping.Token);
            var keys = await _idempotency.PruneAsync(now - _idempotencyKeyTtl, _stopping.Token);
            return new Pruned(rows, keys, null);
        }
        catch (Exception ex)
        {
            return new Pruned(0, 0, ex);
        }
    }

    private sealed class Poll
    {
        public static readonly Poll Instance = new();
    }

    private sealed class Prune
    {
        public static readonly Prune Instance = new();
    }

    private sealed record Polled(Exception? Failure);

    private sealed record Pruned(int Rows, int Keys, Exception? Failure);
}

/// <summary>The registry key of the message status projection's singleton proxy.</summary>
public sealed class MessageStatusProjectionSingleton;
