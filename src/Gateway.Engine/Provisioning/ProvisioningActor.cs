using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Gateway.Domain.Provisioning;
using static Gateway.Engine.Provisioning.ProvisioningProtocol;

namespace Gateway.Engine.Provisioning;

/// <summary>
/// The provisioning authority: the one writer of the <see cref="Catalog"/>, running as a cluster
/// singleton so that uniqueness (DIDs, mobile numbers, client secrets) is decided in one place.
/// It decides each command against the catalog, journals the resulting event and replies only once
/// the event is durable. Every node reads the catalog from its own <see cref="ProvisioningDirectory"/>,
/// which follows this actor's journal.
/// </summary>
/// <remarks>
/// Commands are journaled with <c>PersistAsync</c> so that concurrent admin writes share journal
/// batches. The catalog is updated when an event is decided, before its write completes, so the
/// next command is decided against it; replies that do not write (refusals, no-ops) are deferred
/// behind the pending writes. If a write fails the actor stops, losing the optimistic state, and
/// its back-off supervisor restarts it from the journal; no caller was told about the lost write.
/// Snapshots are taken only when no write is pending, so a snapshot never holds an unwritten event.
/// </remarks>
public sealed class ProvisioningActor : ReceivePersistentActor
{
    public const string Id = "provisioning";

    private readonly int _snapshotEvery;
    private readonly double _snapshotEveryFraction;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private Catalog _catalog = Catalog.Empty;
    private int _pendingWrites;
    private int _eventsSinceSnapshot;

    public ProvisioningActor(int snapshotEvery, double snapshotEveryFraction)
    {
        _snapshotEvery = snapshotEvery;
        _snapshotEveryFraction = snapshotEveryFraction;

        Recover<SnapshotOffer>(offer => _catalog = Catalog.FromSnapshot((CatalogSnapshot)offer.Snapshot));
        Recover<IProvisioningEvent>(e =>
        {
            _catalog = _catalog.Apply(e);
            _eventsSinceSnapshot++;
        });
        Recover<RecoveryCompleted>(_ => _log.Info(
            "Provisioning catalog recovered at sequence {0}: {1} partners, {2} recording servers, {3} groups, {4} subscribers",
            LastSequenceNr, _catalog.PartnerCount, _catalog.RecordingServerCount, _catalog.GroupCount, _catalog.SubscriberCount));

        Command<IProvisioningCommand>(Handle);
        Command<SaveSnapshotSuccess>(s =>
            DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning(f.Cause, "Saving the provisioning snapshot failed; will try again later"));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning(f.Cause, "Deleting old provisioning snapshots failed"));
    }

    public override string PersistenceId => Id;

    public static Props Props(int snapshotEvery, double snapshotEveryFraction) =>
        Akka.Actor.Props.Create(() => new ProvisioningActor(snapshotEvery, snapshotEveryFraction));

    /// <summary>
    /// Events between two snapshots: <c>snapshot-every</c>, or the fraction of the catalog's entries when
    /// more, so that the snapshots (each as large as the catalog) cost a bounded share per event.
    /// </summary>
    private int SnapshotInterval()
    {
        var entries = _catalog.PartnerCount + _catalog.RecordingServerCount + _catalog.GroupCount + _catalog.SubscriberCount;
        return Math.Max(_snapshotEvery, (int)(entries * _snapshotEveryFraction));
    }

    private void Handle(IProvisioningCommand command)
    {
        var decision = _catalog.Decide(command);
        if (decision.Error is { } error)
        {
            DeferAsync(error, e => Sender.Tell(new Refused(e)));
            return;
        }
        if (decision.Event is not { } decided)
        {
            DeferAsync(command, _ => Sender.Tell(new Applied(LastSequenceNr, null)));
            return;
        }

        _catalog = _catalog.Apply(decided);
        _pendingWrites++;
        PersistAsync(decided, persisted =>
        {
            _pendingWrites--;
            _eventsSinceSnapshot++;
            Sender.Tell(new Applied(LastSequenceNr, persisted));
            if (_pendingWrites == 0 && _eventsSinceSnapshot >= SnapshotInterval())
            {
                SaveSnapshot(_catalog.ToSnapshot());
                _eventsSinceSnapshot = 0;
            }
        });
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        // The optimistic catalog already contains the rejected event: start over from the journal.
        _log.Error(cause, "The journal rejected provisioning event {0} at {1}; restarting from the journal",
            @event.GetType().Name, sequenceNr);
        Context.Stop(Self);
    }
}
