using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using Akka.Streams;
using Akka.Streams.Dsl;
using Gateway.Domain.Addressing;
using Gateway.Domain.Errors;
using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;
using Gateway.Domain.Sms;
using Gateway.Engine.Delivery;
using Gateway.Engine.MessageCopies;
using Gateway.Engine.Provisioning;
using static Gateway.Engine.Subscribers.SubscriberProtocol;

namespace Gateway.Engine.Subscribers;

/// <summary>
/// One subscriber, one persistent entity (entity id = subscriber id). Every accepted message and
/// every delivery outcome is journaled before anyone hears of it. Each direction has a lane: an
/// Akka.Streams graph fed with at most one message, the head of its queue, which a
/// <see cref="DelayFlow{T}"/> holds until it is due (<see cref="EgressPacing"/>) and one
/// <c>SelectAsync(1)</c> stage delivers through the network or webhook port. The outcome comes back
/// here, is journaled, and only then is the next head (or the same one, after a temporary failure)
/// offered. So a lane holds one message at a time, messages leave strictly in order, and a slow
/// partner or network slows only its own subscribers' lanes.
/// </summary>
/// <remarks>
/// When its shard is handed off to another node (a rebalance, or this node leaving the cluster) the
/// entity gets <see cref="HandOff"/>: it offers nothing new, lets an attempt already under way finish
/// and journals its outcome, and only then stops, so the entity started on the new node neither repeats
/// a delivery that happened nor waits longer than the message's own schedule. A head that is only
/// waiting in its lane (for the pacing or for its next retry) is left to the new node.
/// </remarks>
public sealed class SubscriberEntity : ReceivePersistentActor, IWithTimers
{
    private const string ReassemblyTimer = "reassembly";
    private static readonly Exception LaneStopped = new OperationCanceledException("The subscriber entity stopped.");

    private readonly SubscriberId _subscriberId;
    private readonly SubscriberSettings _settings;
    private readonly ProvisioningDirectory _directory;
    // This node's directory follower, asked to read the journal before a subscriber missing here is called gone.
    private readonly ActorSelection _follower;
    private readonly IMobileNetwork _network;
    private readonly IPartnerWebhook _webhook;
    private readonly DeliveryPermits _permits;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Lane?[] _lanes = new Lane?[2];
    // A direction's pacing outlives its lane: a lane stopped while idle and started again still waits
    // out the egress interval from the last attempt.
    private readonly EgressPacing?[] _pacing = new EgressPacing?[2];
    // When each direction's lane last had nothing to deliver (its idle timer counts from there).
    private readonly DateTimeOffset[] _laneIdleSince = new DateTimeOffset[2];
    // Used only by the mt lane's delivery stage, one attempt at a time.
    private readonly ConcatenationReferences _references = new();
    // Terminations whose MessageAccepted is being written (PersistAsync), by id, with the repeats
    // of the same id waiting for that write's outcome.
    private readonly Dictionary<MessageId, List<IActorRef>> _accepting = [];
    private SubscriberQueues _state;
    private int _eventsSinceSnapshot;
    private bool _holdsMetrics;
    private bool _recovered;
    private bool _handingOff;

    public SubscriberEntity(
        SubscriberId subscriberId,
        SubscriberSettings settings,
        ProvisioningDirectory directory,
        IMobileNetwork network,
        IPartnerWebhook webhook,
        DeliveryPermits permits)
    {
        _permits = permits;
        _subscriberId = subscriberId;
        _settings = settings;
        _directory = directory;
        _follower = Context.ActorSelection("/user/" + ProvisioningDirectoryFollower.Name);
        _network = network;
        _webhook = webhook;
        _state = new SubscriberQueues(settings.ReassemblyTimeout);

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is SubscriberSnapshot snapshot)
                _state = SubscriberQueues.FromSnapshot(snapshot, settings.ReassemblyTimeout);
        });
        Recover<ISubscriberEvent>(e =>
        {
            _state.Apply(e);
            _eventsSinceSnapshot++;
        });

        Command<AcceptTermination>(OnAcceptTermination);
        Command<AwaitAccept>(OnAwaitAccept);
        Command<ReceiveSmsSegment>(command => WithSubscriberKnown(() => OnReceiveSmsSegment(command)));
        Command<ReceiveMms>(command => WithSubscriberKnown(() => OnReceiveMms(command)));
        Command<GetQueue>(_ => Sender.Tell(QueueView()));
        Command<GetMessage>(query => Sender.Tell(new MessageLookup(
            _state.Find(query.Id) is { } message ? MessageStatusRecord.Of(_subscriberId.Value, message, _state.StatusOf(message)) : null)));
        Command<LaneOutcome>(OnLaneOutcome);
        Command<ExpireReassembly>(_ => OnExpireReassembly());
        Command<StopIdleLane>(OnStopIdleLane);
        Command<ReceiveTimeout>(_ => Context.Parent.Tell(new Passivate(PoisonPill.Instance)));
        Command<HandOff>(_ => OnHandOff());
        Command<SaveSnapshotSuccess>(success =>
            DeleteSnapshots(new SnapshotSelectionCriteria(success.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(failure => _log.Warning(failure.Cause, "Subscriber {0}: snapshot not saved", _subscriberId));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(failure => _log.Warning(failure.Cause, "Subscriber {0}: old snapshots not deleted", _subscriberId));
    }

    private const string PersistenceIdPrefix = "subscriber-";

    public override string PersistenceId => PersistenceIdPrefix + _subscriberId.Value;

    /// <summary>The subscriber id of a subscriber entity's persistence id; null for any other.</summary>
    public static string? SubscriberIdOf(string persistenceId) =>
        IsSubscriberPersistenceId(persistenceId) ? persistenceId[PersistenceIdPrefix.Length..] : null;

    /// <summary>Whether <paramref name="persistenceId"/> is a subscriber entity's (without allocating its id).</summary>
    public static bool IsSubscriberPersistenceId(string persistenceId) =>
        persistenceId.StartsWith(PersistenceIdPrefix, StringComparison.Ordinal);

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="permits">The node's delivery permits, shared by all its entities; unbounded when null.</param>
    public static Props Props(
        SubscriberId subscriberId, SubscriberSettings settings, ProvisioningDirectory directory, IMobileNetwork network, IPartnerWebhook webhook,
        DeliveryPermits? permits = null) =>
        Akka.Actor.Props.Create(() => new SubscriberEntity(subscriberId, settings, directory, network, webhook, permits ?? DeliveryPermits.Unbounded()));

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    protected override void OnReplaySuccess()
    {
        _recovered = true;
        ScheduleReassemblyExpiry();
        MessageMetrics.Hold(AllPending(), +1);
        _holdsMetrics = true;
        OfferHeads();
        UpdatePassivation();
    }

    protected override void PostStop()
    {
        // Abort, not shut down: a graceful shutdown would wait for an attempt still in flight.
        foreach (var lane in _lanes)
        {
            lane?.Stop.Abort(LaneStopped);
            lane?.ClosePermit();
        }
        if (_holdsMetrics)
            MessageMetrics.Hold(AllPending(), -1);
        base.PostStop();
    }

    private IEnumerable<PendingMessage> AllPending() =>
        _state.Queue(MessageDirection.Mt).Concat(_state.Queue(MessageDirection.Mo));

    private void OnAcceptTermination(AcceptTermination command)
    {
        if (command.Id is { } chosen)
        {
            if (_state.Find(chosen) is not null)
            {
                Sender.Tell(new Accepted(chosen));
                return;
            }
            if (_accepting.TryGetValue(chosen, out var waiting))
            {
                // Answered with the outcome of the first write of this id: never before the message is
                // durable, and never Accepted when that write came too late and was withdrawn.
                waiting.Add(Sender);
                return;
            }
        }
        var now = Now;
        if (now >= command.AcceptBy)
        {
            // Its caller has given up (or is about to): journaling it now would store a message answered 503.
            Sender.Tell(new DeadlinePassed(command.Id));
            return;
        }
        int? segments = null;
        if (command.Content.Type == MessageType.Sms)
        {
            var plan = SmsSegmenter.Plan(command.Content.Text ?? "");
            if (plan.Segments > ConcatenationInfo.MaxSegments)
            {
                Sender.Tell(new Refused(ErrorCodes.InvalidFieldType, "The text needs more than 255 SMS segments."));
                return;
            }
            segments = plan.Segments;
        }
        var message = new PendingMessage(command.Id ?? MessageId.New(now), MessageDirection.Mt, command.Content, now, now + _settings.MessageTtl, segments);
        List<IActorRef> callers = [Sender];
        _accepting.Add(message.Id, callers);
        var accepted = new MessageAccepted(message);
        PersistAsync(accepted, _ =>
        {
            if (Now >= command.AcceptBy)
            {
                Withdraw(message);
                return;
            }
            _accepting.Remove(message.Id);
            Apply(accepted);
            foreach (var caller in callers)
                caller.Tell(new Accepted(message.Id));
        });
    }

    private void OnAwaitAccept(AwaitAccept query)
    {
        if (_state.Find(query.Id) is not null)
            Sender.Tell(new Accepted(query.Id));
        else if (_accepting.TryGetValue(query.Id, out var waiting))
            waiting.Add(Sender);
        else
            Sender.Tell(new NotQueued(query.Id));
    }

    /// <summary>
    /// The write of a termination finished after its caller's deadline: the partner has been (or is
    /// being) answered 503, so the message must not be delivered. It never enters the queue; the
    /// withdrawal is journaled so that replay takes it out too, and only then are its callers answered.
    /// Until then the id stays "being accepted": a repeat, or a question about it, waits for the same
    /// answer rather than hearing that the id is unknown while the view may still show it accepted.
    /// </summary>
    private void Withdraw(PendingMessage message)
    {
        var withdrawn = new MessageWithdrawn(message.Id, Now);
        PersistAsync(withdrawn, _ =>
        {
            Apply(withdrawn);
            MessageMetrics.RecordWithdrawn(message);
            _accepting.Remove(message.Id, out var callers);
            foreach (var caller in callers!)
                caller.Tell(new DeadlinePassed(message.Id));
        });
    }

    private void OnReceiveSmsSegment(ReceiveSmsSegment command)
    {
        if (!SmsSegmentParser.TryParseShortMessage(command.DataCoding, command.UserDataHeader, command.ShortMessage, out _, out var error))
        {
            Sender.Tell(new Refused(error.Code, error.Message));
            return;
        }
        if (Owner() is not { } owner)
        {
            Sender.Tell(new Refused(ErrorCodes.NotFound, $"Subscriber {_subscriberId} is not provisioned."));
            return;
        }
        var now = Now;
        var sender = Sender;
        var @event = new SmsSegmentReceived(command.To, owner, command.DataCoding, command.UserDataHeader, command.ShortMessage,
            now, MessageId.New(now), now + _settings.MessageTtl);
        // Persist, not PersistAsync: whether a segment completes its message (written down for the
        // status view, with the message's copy) is decided on the state every earlier segment has
        // already changed.
        // The completed text is built for the copy only when one is taken.
        var completes = _state.WouldComplete(@event);
        var copy = completes && CopyTarget() is not null ? CopyOf(_state.CompletedBy(@event)!, now) : null;
        @event = @event with { CompletesMessage = completes, Copy = copy };
        Persist(@event, _ =>
        {
            var transitions = Apply(@event);
            ScheduleReassemblyExpiry();
            sender.Tell(new Accepted(transitions.Count > 0 ? transitions[0].Message.Id : null));
        });
    }

    private void OnReceiveMms(ReceiveMms command)
    {
        if (Owner() is not { } owner)
        {
            Sender.Tell(new Refused(ErrorCodes.NotFound, $"Subscriber {_subscriberId} is not provisioned."));
            return;
        }
        var now = Now;
        var content = new MessageContent(MessageType.Mms, owner, command.To, owner, command.Text, command.Media);
        var message = new PendingMessage(MessageId.New(now), MessageDirection.Mo, content, now, now + _settings.MessageTtl, null);
        var sender = Sender;
        var accepted = new MessageAccepted(message, CopyOf(message, now));
        PersistAsync(accepted, _ =>
        {
            Apply(accepted);
            sender.Tell(new Accepted(message.Id));
        });
    }

    private void OnExpireReassembly()
    {
        var now = Now;
        var count = _state.Reassembler.CountExpiring(now);
        if (count == 0)
        {
            ScheduleReassemblyExpiry();
            return;
        }
        var ids = Enumerable.Range(0, count).Select(_ => MessageId.New(now)).ToList();
        var owner = Owner() ?? "";
        var expired = new ReassemblyExpired(now, owner, ids, now + _settings.MessageTtl, _state.Reassembler.SegmentsOfExpiring(now));
        if (CopyTarget() is not null)
            expired = expired with { Copies = [.. _state.ExpiredBy(expired).Select(message => CopyOf(message, now)!)] };
        Persist(expired, _ =>
        {
            Apply(expired);
            ScheduleReassemblyExpiry();
        });
    }

    private void OnLaneOutcome(LaneOutcome outcome)
    {
        // A lane is stopped only while it holds nothing, so the lane of an outcome is still there.
        var lane = _lanes[(int)outcome.Direction]!;
        var head = _state.Head(outcome.Direction);
        if (head is null || head.Id != outcome.Id)
        {
            lane.Release(); // the head changed under the attempt (cannot happen while leased; be safe)
            OfferHead(outcome.Direction);
            StopIfHandedOff();
            return;
        }

        ISubscriberEvent @event = outcome.Outcome is not { } result
            ? new MessageExpired(outcome.Direction, outcome.Id, outcome.At)
            : new DeliveryAttempted(outcome.Direction, outcome.Id, result, outcome.At,
                result.Result == DeliveryResult.TemporaryFailure ? outcome.At + _settings.RetryInterval : null,
                outcome.Direction == MessageDirection.Mt && result.Result == DeliveryResult.Delivered ? CopyOf(head, Now) : null);
        Persist(@event, _ =>
        {
            lane.Release();
            Apply(@event);
            OfferHead(outcome.Direction);
            StopIfHandedOff();
        });
    }

    /// <summary>The shard is moving to another node: finish what is in flight, then stop (see remarks).</summary>
    private void OnHandOff()
    {
        _handingOff = true;
        Context.SetReceiveTimeout(null);
        StopIfHandedOff();
    }

    /// <summary>
    /// Once handing off, stops when no lane has an attempt whose outcome is not journaled yet; a lane
    /// whose head has not started its attempt is closed so that it never starts it. The stop waits for
    /// the writes already under way (<c>DeferAsync</c> runs after them), so no caller loses its answer.
    /// </summary>
    private void StopIfHandedOff()
    {
        if (!_handingOff)
            return;
        foreach (var lane in _lanes)
        {
            if (lane is { Leased: not null } && !lane.TryClose())
                return; // an attempt is under way: its outcome comes back here first
        }
        DeferAsync(HandOff.Instance, _ => Context.Stop(Self));
    }

    private IReadOnlyList<MessageTransition> Apply(ISubscriberEvent e)
    {
        var transitions = _state.Apply(e);
        foreach (var copy in CapturedCopies.In(e))
            MessageCopyMetrics.RecordCaptured(copy);
        foreach (var transition in transitions)
        {
            MessageMetrics.Record(transition);
            if (transition.Status == MessageStatus.Accepted)
                OfferHead(transition.Message.Direction);
        }
        if (++_eventsSinceSnapshot >= _settings.SnapshotEvery)
        {
            SaveSnapshot(_state.ToSnapshot());
            _eventsSinceSnapshot = 0;
        }
        UpdatePassivation();
        return transitions;
    }

    private void OfferHeads()
    {
        OfferHead(MessageDirection.Mt);
        OfferHead(MessageDirection.Mo);
    }

    /// <summary>
    /// Hands the head of a direction to its lane, unless the lane already holds it. A lane is started
    /// the first time its direction has something to deliver, so an entity that only receives, or only
    /// sends, carries one lane, and an idle one none.
    /// </summary>
    private void OfferHead(MessageDirection direction)
    {
        if (!_recovered || _handingOff)
            return;
        if (_state.Head(direction) is not { } head)
        {
            if (_lanes[(int)direction] is { Leased: null })
                LaneWentIdle(direction);
            return;
        }
        var lane = _lanes[(int)direction] ??= StartLane(direction);
        if (lane.Leased is not null)
            return;
        lane.Leased = head.Id;
        Context.SetReceiveTimeout(null);
        // The lane holds at most this one message, so the one-slot queue always has room.
        lane.Queue.OfferAsync(head);
    }

    /// <summary>
    /// The lane of <paramref name="direction"/> has nothing to deliver: it is stopped once that has lasted
    /// <see cref="SubscriberSettings.LaneIdleAfter"/>. One timer per idle period, not per message: when it
    /// fires early (the lane was busy again meanwhile) it is set again for what remains.
    /// </summary>
    private void LaneWentIdle(MessageDirection direction)
    {
        _laneIdleSince[(int)direction] = Now;
        var stop = StopIdleLane.For(direction);
        if (!Timers.IsTimerActive(stop.TimerKey))
            Timers.StartSingleTimer(stop.TimerKey, stop, _settings.LaneIdleAfter);
    }

    private void OnStopIdleLane(StopIdleLane stop)
    {
        var index = (int)stop.Direction;
        if (_lanes[index] is not { Leased: null } lane || _state.Head(stop.Direction) is not null)
            return; // busy again: when it next has nothing to deliver, the timer starts again
        var idleFor = Now - _laneIdleSince[index];
        if (idleFor < _settings.LaneIdleAfter)
        {
            Timers.StartSingleTimer(stop.TimerKey, stop, _settings.LaneIdleAfter - idleFor);
            return;
        }
        _lanes[index] = null;
        lane.Stop.Shutdown();
    }

    private void UpdatePassivation()
    {
        if (_state.IsIdle && _lanes.All(l => l is null || l.Leased is null))
            Context.SetReceiveTimeout(_settings.PassivateAfter);
        else
            Context.SetReceiveTimeout(null);
    }

    private void ScheduleReassemblyExpiry()
    {
        if (_state.Reassembler.NextExpiry is { } due)
            Timers.StartSingleTimer(ReassemblyTimer, ExpireReassembly.Instance, Max(due - Now, TimeSpan.Zero));
        else
            Timers.Cancel(ReassemblyTimer);
    }

    /// <summary>
    /// Runs a lane on the system's materializer (one materializer per entity would cost every entity a
    /// supervisor actor); the entity shuts the lane down when it stops.
    /// </summary>
    private Lane StartLane(MessageDirection direction)
    {
        var self = Self;
        var clock = Context.System.Scheduler;
        var pacing = _pacing[(int)direction] ??= new EgressPacing(_settings.EgressInterval, clock);
        // assigned before the lane is offered its first head, so the stage always sees it
        Lane lane = null!;
        var (queue, stop) = Source.Queue<PendingMessage>(1, OverflowStrategy.Backpressure)
            .ViaMaterialized(KillSwitches.Single<PendingMessage>(), Keep.Both)
            .Via(new DelayFlow<PendingMessage>(() => pacing))
            .SelectAsync(1, head => AttemptAsync(lane, direction, head, clock, pacing))
            .Where(outcome => outcome is not null)
            .To(Sink.ForEach<LaneOutcome?>(outcome => self.Tell(outcome!)))
            .Run(Context.System.Materializer());
        lane = new Lane(queue, stop, _permits);
        return lane;
    }

    /// <summary>
    /// One attempt, on the lane's stage: expire the head if due, else deliver it through its port.
    /// Null, without trying, when the lane was closed for a hand-off while the head waited.
    /// </summary>
    private async Task<LaneOutcome?> AttemptAsync(
        Lane lane, MessageDirection direction, PendingMessage head, ITimeProvider clock, EgressPacing pacing)
    {
        if (!lane.TryBeginAttempt())
            return null;
        var at = clock.Now;
        if (at >= head.ExpiresAt)
            return await WithPermitAsync(lane, new LaneOutcome(direction, head.Id, null, at));
        DeliveryOutcome outcome;
        try
        {
            outcome = direction == MessageDirection.Mt ? await DeliverToHandsetAsync(head) : await DeliverToPartnerAsync(head);
        }
        catch (Exception ex)
        {
            // A port must classify its own failures; anything it throws is treated as temporary.
            outcome = DeliveryOutcome.Temporary($"{ex.GetType().Name}: {ex.Message}");
        }
        pacing.AttemptEnded(clock.Now);
        return await WithPermitAsync(lane, new LaneOutcome(direction, head.Id, outcome, at));
    }

    /// <summary>
    /// Waits for a permit to have <paramref name="outcome"/> journaled (<see cref="DeliveryPermits"/>);
    /// null when the entity stopped meanwhile (its successor tries the message again).
    /// </summary>
    private async Task<LaneOutcome?> WithPermitAsync(Lane lane, LaneOutcome outcome)
    {
        await _permits.TakeAsync();
        return lane.HoldPermit() ? outcome : null;
    }

    private async Task<bool> WaitUntilLoadedAsync()
    {
        try
        {
            await _directory.Loaded.WaitAsync(_settings.AcceptTimeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task<DeliveryOutcome> DeliverToHandsetAsync(PendingMessage head)
    {
        if (await CatalogIncludingAsync(c => c.FindSubscriber(_subscriberId) is not null) is not { } catalog)
            return DeliveryOutcome.Temporary(CatalogUnconfirmed);
        if (catalog.FindSubscriber(_subscriberId) is not { } subscriber)
            return DeliveryOutcome.Permanent($"subscriber {_subscriberId} is no longer provisioned");
        SegmentedSms? segments = null;
        if (head.Content.Type == MessageType.Sms)
        {
            var text = head.Content.Text ?? "";
            var reference = _references.Next(subscriber.Mobile.Value); // unused by a text of one segment
            if (!SmsSegmenter.TrySegment(text, reference, out segments, out var error))
                return DeliveryOutcome.Permanent(error.ToString());
        }
        return await _network.SubmitAsync(new NetworkSubmission(head.Id, subscriber.Mobile, head.Content, segments), CancellationToken.None);
    }

    private async Task<DeliveryOutcome> DeliverToPartnerAsync(PendingMessage head)
    {
        static Partner? PartnerOf(Catalog c, SubscriberId id) => c.FindSubscriber(id) is { } s ? c.FindPartner(s.PartnerId) : null;
        if (await CatalogIncludingAsync(c => PartnerOf(c, _subscriberId) is not null) is not { } catalog)
            return DeliveryOutcome.Temporary(CatalogUnconfirmed);
        if (PartnerOf(catalog, _subscriberId) is not { } partner)
            return DeliveryOutcome.Permanent($"subscriber {_subscriberId} or its partner is no longer provisioned");
        return await _webhook.PostAsync(WebhookTarget.For(partner), new OriginationEvent(head.Id, head.Content, head.AcceptedAt), CancellationToken.None);
    }

    private const string CatalogUnconfirmed = "this node could not read the provisioning catalog to confirm the subscriber";

    /// <summary>
    /// Handles an origination, which reads the subscriber from the catalog when it is accepted (its DID
    /// as the owner, its Message Copy target), at once when this node's catalog has the subscriber;
    /// otherwise after <see cref="CatalogIncludingAsync"/>, with the mailbox held meanwhile (RunTask) so
    /// that the subscriber's commands keep their order. Without the wait, a handset's message for a
    /// subscriber this node has not read yet would be refused as not provisioned.
    /// </summary>
    private void WithSubscriberKnown(Action handle)
    {
        if (_directory.IsLoaded && _directory.Catalog.FindSubscriber(_subscriberId) is not null)
        {
            handle();
            return;
        }
        RunTask(async () =>
        {
            await CatalogIncludingAsync(catalog => catalog.FindSubscriber(_subscriberId) is not null);
            handle();
        });
    }

    /// <summary>
    /// This node's catalog when it has what <paramref name="has"/> looks for. When it does not, that is
    /// not yet proof of a deletion: after a restart a remembered entity may run before this node has
    /// loaded the catalog, and a subscriber provisioned through another node a moment ago may not have
    /// been read here yet (the directory follows the journal by polling). So the directory first loads,
    /// then the follower reads the journal now, and the catalog after that read is the answer, with or
    /// without the subscriber. Null when the catalog could not be read within the accept timeout: a
    /// delivery attempt is then temporary, never a permanent failure.
    /// </summary>
    private async Task<Catalog?> CatalogIncludingAsync(Func<Catalog, bool> has)
    {
        if (!_directory.IsLoaded && !await WaitUntilLoadedAsync())
            return null;
        if (has(_directory.Catalog))
            return _directory.Catalog;
        try
        {
            var read = await _follower.Ask<ProvisioningProtocol.JournalRead>(
                ProvisioningProtocol.ReadJournalNow.Instance, _settings.AcceptTimeout);
            return read.Succeeded ? _directory.Catalog : null;
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    private string? Owner() => _directory.Catalog.FindSubscriber(_subscriberId)?.Did.Value;

    /// <summary>
    /// Where this subscriber's messages are copied now: its group's recording server and the subscriber
    /// as the copy shows it; null while its group has Message Copy off (or it has no group).
    /// </summary>
    private (RecordingServerId Server, CopySubscriber Subscriber)? CopyTarget()
    {
        var catalog = _directory.Catalog;
        if (catalog.FindSubscriber(_subscriberId) is not { GroupId: { } groupId } subscriber
            || catalog.FindGroup(groupId)?.MessageCopy is not { Enabled: true, RecordingServerId: { } server })
            return null;
        return (server, new CopySubscriber(subscriber.Domain, subscriber.Mobile.Value, subscriber.Did.Value, subscriber.Id.Value));
    }

    /// <summary>The copy of <paramref name="message"/> taken at <paramref name="at"/>, or null when copying is off.</summary>
    private MessageCopy? CopyOf(PendingMessage message, DateTimeOffset at) =>
        CopyTarget() is { } target
            ? new MessageCopy(message.Id, message.Direction, target.Server, at, target.Subscriber, message.Content)
            : null;

    private QueueView QueueView()
    {
        QueueItem Item(PendingMessage m) => new(m.Id, _state.StatusOf(m), m.Attempts, m.NextAttemptAt, m.ExpiresAt);
        return new QueueView(
            _state.Queue(MessageDirection.Mt).Select(Item).ToList(),
            _state.Queue(MessageDirection.Mo).Select(Item).ToList());
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>
    /// A direction's delivery graph and the head it holds. Whether the head's attempt has begun is one
    /// atomic state shared by the graph's stage (which begins attempts) and the entity (which releases
    /// them once their outcome is journaled, and closes the lane for a hand-off), so a hand-off either
    /// sees an attempt under way and waits for it, or closes the lane before the attempt can begin.
    /// </summary>
    private sealed class Lane(ISourceQueueWithComplete<PendingMessage> queue, UniqueKillSwitch stop, DeliveryPermits permits)
    {
        private const int Waiting = 0, Attempting = 1, Closed = 2;
        private const int NoPermit = 0, HoldingPermit = 1, PermitsClosed = 2;
        private int _attempt = Waiting;
        private int _permit = NoPermit;

        public ISourceQueueWithComplete<PendingMessage> Queue { get; } = queue;

        public UniqueKillSwitch Stop { get; } = stop;

        /// <summary>The message the lane holds; its outcome is not journaled yet.</summary>
        public MessageId? Leased { get; set; }

        /// <summary>The graph's stage, before trying the head: false when the lane is closed.</summary>
        public bool TryBeginAttempt() => Interlocked.CompareExchange(ref _attempt, Attempting, Waiting) == Waiting;

        /// <summary>The entity, once the attempt's outcome is journaled: the lane may take the next head.</summary>
        public void Release()
        {
            Leased = null;
            Interlocked.CompareExchange(ref _attempt, Waiting, Attempting);
            if (Interlocked.CompareExchange(ref _permit, NoPermit, HoldingPermit) == HoldingPermit)
                permits.Give();
        }

        /// <summary>
        /// The graph's stage, having taken a permit: false (and the permit given back) when the entity
        /// stopped meanwhile, so that no permit outlives its entity.
        /// </summary>
        public bool HoldPermit()
        {
            if (Interlocked.CompareExchange(ref _permit, HoldingPermit, NoPermit) == NoPermit)
                return true;
            permits.Give();
            return false;
        }

        /// <summary>The entity, stopping: gives back the permit of an attempt whose outcome it will not journal.</summary>
        public void ClosePermit()
        {
            if (Interlocked.Exchange(ref _permit, PermitsClosed) == HoldingPermit)
                permits.Give();
        }

        /// <summary>The entity, handing off: true when no attempt is under way (and none will begin).</summary>
        public bool TryClose() =>
            Interlocked.CompareExchange(ref _attempt, Closed, Waiting) is Waiting or Closed;
    }

    /// <summary>
    /// The shard's hand-off stop message (the region's <c>HandOffStopMessage</c>): finish the attempts
    /// under way, then stop. Sent only by the local shard, so it never crosses the wire.
    /// </summary>
    public sealed class HandOff
    {
        public static readonly HandOff Instance = new();
        private HandOff() { }
    }

    /// <summary>How an attempt ended; <paramref name="Outcome"/> null: the head expired instead.</summary>
    private sealed record LaneOutcome(MessageDirection Direction, MessageId Id, DeliveryOutcome? Outcome, DateTimeOffset At);


    private sealed class ExpireReassembly
    {
        public static readonly ExpireReassembly Instance = new();
    }

    /// <summary>A lane's idle timer; it does not count as activity for passivation.</summary>
    private sealed class StopIdleLane : INotInfluenceReceiveTimeout
    {
        private static readonly StopIdleLane Mt = new(MessageDirection.Mt, "lane-idle-mt");
        private static readonly StopIdleLane Mo = new(MessageDirection.Mo, "lane-idle-mo");

        private StopIdleLane(MessageDirection direction, string timerKey) => (Direction, TimerKey) = (direction, timerKey);

        public MessageDirection Direction { get; }
        public string TimerKey { get; }

        public static StopIdleLane For(MessageDirection direction) => direction == MessageDirection.Mt ? Mt : Mo;
    }
}
