using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Gateway.Domain.Provisioning;

namespace Gateway.Engine.Provisioning;

/// <summary>
/// Keeps this node's <see cref="ProvisioningDirectory"/> in step with the provisioning authority's
/// journal, on every node (not only where the singleton runs).
/// <code>
///   LoadingSnapshot ──snapshot or none──▶ CatchingUp ──current events read──▶ Following (live query)
///         ▲                                   │                                    │
///         └───────────── WaitingToRetry ◀─────┴──────── stream failed/ended ───────┘
/// </code>
/// After a failure it waits (exponential back-off) and resumes from the directory's sequence number.
/// In every state it answers <see cref="ProvisioningProtocol.CatchUpTo"/> (an admin write on another node
/// waiting for every node to include it): when the directory is behind, it reads the journal's current
/// events at once rather than waiting for the live query's next poll. It answers
/// <see cref="ProvisioningProtocol.ReadJournalNow"/> (a subscriber entity about to fail a message because
/// its subscriber is missing here) the same way, after one such read.
/// </summary>
public sealed class ProvisioningDirectoryFollower : ReceiveActor, IWithTimers
{
    /// <summary>Timer tick and stream signals; public so specs can drive the actor.</summary>
    public sealed class Retry
    {
        public static readonly Retry Instance = new();
        private Retry() { }
    }

    private sealed record CaughtUp;
    private sealed record StreamEnded(Exception? Cause);
    private sealed record OneOffReadEnded(bool Succeeded);

    /// <summary>The follower's name under <c>/user</c> on every node.</summary>
    public const string Name = "provisioning-directory";

    private readonly ProvisioningDirectory _directory;
    private readonly string _readJournalId;
    private readonly TimeSpan _backoffMin;
    private readonly TimeSpan _backoffMax;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IMaterializer _materializer = Context.Materializer();
    private readonly TimeSpan _catchUpWait;
    private UniqueKillSwitch? _running;
    private int _failures;
    private bool _oneOffReading;
    private bool _readAgain;
    // Who asked for ReadJournalNow: answered when the read under way ends, or when the read after it ends
    // (a read under way may have begun before the request and miss an event journaled just before it).
    private List<IActorRef> _answerAfterThisRead = [];
    private List<IActorRef> _answerAfterNextRead = [];

    public ProvisioningDirectoryFollower(
        ProvisioningDirectory directory, string readJournalId, TimeSpan backoffMin, TimeSpan backoffMax, TimeSpan catchUpWait)
    {
        _directory = directory;
        _readJournalId = readJournalId;
        _backoffMin = backoffMin;
        _backoffMax = backoffMax;
        _catchUpWait = catchUpWait;
        LoadingSnapshot();
    }

    public static Props Props(
        ProvisioningDirectory directory, string readJournalId, TimeSpan backoffMin, TimeSpan backoffMax, TimeSpan catchUpWait) =>
        Akka.Actor.Props.Create(() => new ProvisioningDirectoryFollower(directory, readJournalId, backoffMin, backoffMax, catchUpWait));

    public ITimerScheduler Timers { get; set; } = null!;

    private void LoadingSnapshot()
    {
        var snapshotStore = Persistence.Instance.Apply(Context.System).SnapshotStoreFor(null);
        snapshotStore.Tell(new LoadSnapshot(ProvisioningActor.Id, SnapshotSelectionCriteria.Latest, long.MaxValue));
        Become(() =>
        {
            Receive<LoadSnapshotResult>(result =>
            {
                if (result.Snapshot is { } selected)
                    _directory.Reset(Catalog.FromSnapshot((CatalogSnapshot)selected.Snapshot), selected.Metadata.SequenceNr);
                CatchingUp();
            });
            Receive<LoadSnapshotFailed>(failed => WaitingToRetry(failed.Cause));
            ReceiveCatchUp();
        });
    }

    private void CatchingUp()
    {
        var query = (ICurrentEventsByPersistenceIdQuery)PersistenceQuery.Get(Context.System)
            .ReadJournalFor<IReadJournal>(_readJournalId);
        Run(query.CurrentEventsByPersistenceId(ProvisioningActor.Id, _directory.SequenceNr + 1, long.MaxValue), new CaughtUp());
        Become(() =>
        {
            Receive<CaughtUp>(_ =>
            {
                _failures = 0;
                if (!_directory.IsLoaded)
                    _log.Info("Provisioning directory loaded at sequence {0}: {1} subscribers",
                        _directory.SequenceNr, _directory.Catalog.SubscriberCount);
                _directory.MarkLoaded();
                Following();
            });
            Receive<StreamEnded>(ended => WaitingToRetry(ended.Cause));
            ReceiveCatchUp();
        });
    }

    private void Following()
    {
        var query = (IEventsByPersistenceIdQuery)PersistenceQuery.Get(Context.System)
            .ReadJournalFor<IReadJournal>(_readJournalId);
        Run(query.EventsByPersistenceId(ProvisioningActor.Id, _directory.SequenceNr + 1, long.MaxValue),
            new StreamEnded(null));
        Become(() =>
        {
            Receive<StreamEnded>(ended => WaitingToRetry(ended.Cause));
            ReceiveCatchUp();
        });
    }

    private void WaitingToRetry(Exception? cause)
    {
        _running = null;
        _failures++;
        var delay = TimeSpan.FromTicks(Math.Min(_backoffMax.Ticks, _backoffMin.Ticks << Math.Min(_failures - 1, 16)));
        _log.Warning(cause, "Provisioning directory stopped following the journal; retrying in {0}", delay);
        Timers.StartSingleTimer(Retry.Instance, Retry.Instance, delay);
        Become(() =>
        {
            Receive<Retry>(_ =>
            {
                if (_directory.SequenceNr == 0)
                    LoadingSnapshot();
                else
                    CatchingUp();
            });
            ReceiveCatchUp();
        });
    }

    private void ReceiveCatchUp()
    {
        Receive<ProvisioningProtocol.CatchUpTo>(OnCatchUpTo);
        Receive<ProvisioningProtocol.ReadJournalNow>(_ =>
        {
            (_oneOffReading ? _answerAfterNextRead : _answerAfterThisRead).Add(Sender);
            ReadCurrentEventsOnce();
        });
        Receive<OneOffReadEnded>(ended =>
        {
            _oneOffReading = false;
            var answer = new ProvisioningProtocol.JournalRead(ended.Succeeded, _directory.SequenceNr);
            foreach (var asker in _answerAfterThisRead)
                asker.Tell(answer);
            (_answerAfterThisRead, _answerAfterNextRead) = (_answerAfterNextRead, []);
            if (_readAgain)
                ReadCurrentEventsOnce();
        });
    }

    private void OnCatchUpTo(ProvisioningProtocol.CatchUpTo request)
    {
        var sequenceNr = request.SequenceNr;
        if (_directory.SequenceNr < sequenceNr)
            ReadCurrentEventsOnce();
        _directory.WaitForAsync(sequenceNr, _catchUpWait).PipeTo(Sender,
            success: reached => new ProvisioningProtocol.CaughtUpTo(sequenceNr, reached),
            failure: _ => new ProvisioningProtocol.CaughtUpTo(sequenceNr, false));
    }

    /// <summary>
    /// One read of the journal's current events past the directory, beside the live query (the directory
    /// ignores what it already has). One at a time: a request during a read gets one more read after it,
    /// which sees every event written before the request.
    /// </summary>
    private void ReadCurrentEventsOnce()
    {
        if (_oneOffReading)
        {
            _readAgain = true;
            return;
        }
        _oneOffReading = true;
        _readAgain = false;
        var query = (ICurrentEventsByPersistenceIdQuery)PersistenceQuery.Get(Context.System)
            .ReadJournalFor<IReadJournal>(_readJournalId);
        var directory = _directory;
        query.CurrentEventsByPersistenceId(ProvisioningActor.Id, _directory.SequenceNr + 1, long.MaxValue)
            .RunForeach(e => directory.Apply(e.SequenceNr, (IProvisioningEvent)e.Event), _materializer)
            .PipeTo(Self, success: () => new OneOffReadEnded(true), failure: _ => new OneOffReadEnded(false));
    }

    private void Run(Source<EventEnvelope, NotUsed> events, object whenCompleted)
    {
        var directory = _directory;
        var (killSwitch, done) = events
            .ViaMaterialized(KillSwitches.Single<EventEnvelope>(), Keep.Right)
            .ToMaterialized(Sink.ForEach<EventEnvelope>(e => directory.Apply(e.SequenceNr, (IProvisioningEvent)e.Event)), Keep.Both)
            .Run(_materializer);
        _running = killSwitch;
        done.PipeTo(Self, success: () => whenCompleted, failure: ex => new StreamEnded(ex));
    }

    protected override void PostStop()
    {
        _running?.Shutdown();
        base.PostStop();
    }
}
