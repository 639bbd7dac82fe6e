using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using Akka.Actor;
using Akka.Persistence;
using LinqToDB.Common;
using LinqToDB.Interceptors;

namespace Gateway.Engine.Tests.Storage;

/// <summary>
/// Sees every batch query of the batched recovery classes (it is an interceptor on their
/// connection only: the plugin's own queries use another), and makes them fail on demand.
/// </summary>
public sealed class BatchQueryProbe : CommandInterceptor
{
    public enum Kind
    {
        HighestSequenceNr,
        LatestSnapshot,
    }

    private readonly ConcurrentQueue<(Kind Kind, string[] PersistenceIds)> _queries = new();
    private volatile bool _failHighest;
    private volatile bool _failSnapshots;

    public IReadOnlyList<(Kind Kind, string[] PersistenceIds)> Queries => [.. _queries];

    public IReadOnlyList<string[]> Of(Kind kind) => [.. _queries.Where(q => q.Kind == kind).Select(q => q.PersistenceIds)];

    /// <summary>Makes every batch query of <paramref name="kind"/> fail from now on.</summary>
    public void Fail(Kind kind, bool fail = true)
    {
        if (kind == Kind.HighestSequenceNr)
            _failHighest = fail;
        else
            _failSnapshots = fail;
    }

    public void Clear() => _queries.Clear();

    public override Task<Option<DbDataReader>> ExecuteReaderAsync(
        CommandEventData eventData, DbCommand command, CommandBehavior commandBehavior, Option<DbDataReader> result, CancellationToken cancellationToken)
    {
        var kind = command.CommandText.Contains("GROUP BY", StringComparison.Ordinal) ? Kind.HighestSequenceNr : Kind.LatestSnapshot;
        _queries.Enqueue((kind, [.. command.Parameters.Cast<DbParameter>().Select(p => (string)p.Value!)]));
        if (kind == Kind.HighestSequenceNr ? _failHighest : _failSnapshots)
            throw new InvalidOperationException($"{kind} batch query failed on purpose");
        return base.ExecuteReaderAsync(eventData, command, commandBehavior, result, cancellationToken);
    }
}

/// <summary>
/// A persistent actor with any persistence id, journaling strings: what it recovered (its snapshot
/// and the events after it, its sequence number) is what a recovery read from the plugins.
/// </summary>
public sealed class Recorder : ReceivePersistentActor
{
    public sealed record Record(int Count);
    public sealed record Snap;
    public sealed record DeleteUpTo(long SequenceNr);
    public sealed record GetState;
    public sealed record State(string? Snapshot, IReadOnlyList<string> Events, long SequenceNr)
    {
        /// <summary>The whole state as text (record equality would compare the list by reference).</summary>
        public override string ToString() => $"{Snapshot ?? "(no snapshot)"} | {string.Join(",", Events)} | {SequenceNr}";
    }
    public sealed record Done(long SequenceNr);

    private readonly List<string> _events = [];
    private string? _snapshot;
    private IActorRef? _waiting;

    public Recorder(string persistenceId)
    {
        PersistenceId = persistenceId;
        Recover<SnapshotOffer>(offer =>
        {
            _snapshot = (string)offer.Snapshot;
            _events.Clear();
        });
        Recover<string>(_events.Add);
        Command<Record>(record =>
        {
            var sender = Sender;
            var events = Enumerable.Range((int)LastSequenceNr + 1, record.Count).Select(n => $"{persistenceId}#{n}").ToList();
            if (events.Count == 0)
            {
                sender.Tell(new Done(LastSequenceNr));
                return;
            }
            PersistAll(events, e =>
            {
                _events.Add(e);
                if (ReferenceEquals(e, events[^1]))
                    sender.Tell(new Done(LastSequenceNr));
            });
        });
        Command<Snap>(_ =>
        {
            _waiting = Sender;
            SaveSnapshot($"{PersistenceId}@{LastSequenceNr}: {string.Join(",", Events())}");
        });
        Command<SaveSnapshotSuccess>(success => _waiting?.Tell(new Done(success.Metadata.SequenceNr)));
        Command<DeleteUpTo>(delete =>
        {
            _waiting = Sender;
            DeleteMessages(delete.SequenceNr);
        });
        Command<DeleteMessagesSuccess>(success => _waiting?.Tell(new Done(success.ToSequenceNr)));
        Command<GetState>(_ => Sender.Tell(new State(_snapshot, [.. _events], LastSequenceNr)));
    }

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId) => Akka.Actor.Props.Create(() => new Recorder(persistenceId));

    private IEnumerable<string> Events() => _snapshot is null ? _events : _events.Prepend(_snapshot);
}
