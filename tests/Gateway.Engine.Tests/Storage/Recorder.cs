using Akka.Actor;
using Akka.Persistence;

namespace Gateway.Engine.Tests.Storage;

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
        Command<SaveSnapshotFailure>(failure => _waiting?.Tell(new Status.Failure(failure.Cause)));
        Command<DeleteUpTo>(delete =>
        {
            _waiting = Sender;
            DeleteMessages(delete.SequenceNr);
        });
        Command<DeleteMessagesSuccess>(success => _waiting?.Tell(new Done(success.ToSequenceNr)));
        Command<DeleteMessagesFailure>(failure => _waiting?.Tell(new Status.Failure(failure.Cause)));
        Command<GetState>(_ => Sender.Tell(new State(_snapshot, [.. _events], LastSequenceNr)));
    }

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId) => Akka.Actor.Props.Create(() => new Recorder(persistenceId));

    private IEnumerable<string> Events() => _snapshot is null ? _events : _events.Prepend(_snapshot);
}
