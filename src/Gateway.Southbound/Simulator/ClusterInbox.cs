using Akka.Actor;
using Akka.Cluster;
using Gateway.Domain.Addressing;
using GatewayCluster = Gateway.Engine.Configuration.ClusterSettings;
using Gateway.Engine.Simulator;
using static Gateway.Engine.Simulator.SimulatorProtocol;

namespace Gateway.Southbound.Simulator;

/// <summary>
/// A handset's inbox as one network shows it: what it received on every node, oldest first, or the
/// nodes that did not answer in time.
/// </summary>
/// <param name="Messages">Oldest first, at most the inbox limit (the newest); empty when some node did not answer.</param>
/// <param name="SilentNodes">The nodes that did not answer in time (their addresses); empty when every node did.</param>
public sealed record InboxReading(IReadOnlyList<ReceivedMessage> Messages, IReadOnlyList<string> SilentNodes)
{
    public bool IsComplete => SilentNodes.Count == 0;
}

/// <summary>
/// Reads a handset's inbox on every node of the cluster: each subscriber entity delivers through the
/// <see cref="SimulatedMobileNetwork"/> of the node it runs on, and it moves between nodes as they come
/// and go. Asks the <see cref="SimulatorNodeActor"/> of every gateway member that is Up or Leaving (a
/// leaving node still runs entities until they are handed over) and of this node, and merges the answers
/// by <see cref="ReceivedMessage.ReceivedAt"/>. A node that is unreachable, or does not answer within the
/// timeout, makes the reading incomplete rather than silently partial.
/// </summary>
public sealed class ClusterInbox
{
    private readonly ActorSystem _system;
    private readonly TimeSpan _timeout;
    private readonly int _limit;

    /// <param name="timeout">How long every node has to answer (<c>gateway.network.simulator-cluster-timeout</c>).</param>
    /// <param name="limit">The messages a handset keeps (<c>gateway.network.simulator-inbox-limit</c>).</param>
    public ClusterInbox(ActorSystem system, TimeSpan timeout, int limit)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        _system = system;
        _timeout = timeout;
        _limit = limit;
    }

    public async Task<InboxReading> ReadAsync(E164Number handset, CancellationToken cancellationToken)
    {
        var cluster = Cluster.Get(_system);
        var state = cluster.State;
        var nodes = state.Members
            .Where(m => m.HasRole(GatewayCluster.Role) && m.Status is MemberStatus.Up or MemberStatus.Leaving)
            .Select(m => m.Address)
            .Append(cluster.SelfAddress)
            .ToHashSet();
        var unreachable = state.Unreachable.Select(m => m.Address).Where(nodes.Contains).ToList();
        if (unreachable.Count > 0)
            return new InboxReading([], unreachable.Select(a => a.ToString()).Order(StringComparer.Ordinal).ToList());

        var reading = new TaskCompletionSource<InboxReading>(TaskCreationOptions.RunContinuationsAsynchronously);
        var gatherer = _system.ActorOf(Props.Create(() => new InboxGatherer(handset, nodes, cluster.SelfAddress, _timeout, _limit, reading)));
        try
        {
            return await reading.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _system.Stop(gatherer);
            throw;
        }
    }

    /// <summary>
    /// The nodes' inboxes as one, oldest first, keeping the newest <paramref name="limit"/>. Messages
    /// received at the same instant keep the order of <paramref name="inboxes"/> and, within one, their own.
    /// </summary>
    internal static IReadOnlyList<ReceivedMessage> Merge(IEnumerable<IReadOnlyList<ReceivedMessage>> inboxes, int limit) =>
        inboxes.SelectMany(inbox => inbox).OrderBy(m => m.ReceivedAt).TakeLast(limit).ToList();

    /// <summary>One reading: asks every node, collects their parts, answers once all are in or the time is up.</summary>
    private sealed class InboxGatherer : ReceiveActor, IWithTimers
    {
        private sealed record TimeIsUp;

        private readonly Address _self;
        private readonly int _limit;
        private readonly TaskCompletionSource<InboxReading> _reading;
        private readonly SortedDictionary<string, List<ReceivedMessage>> _received = new(StringComparer.Ordinal);
        private readonly HashSet<Address> _waitingFor;
        private readonly E164Number _handset;
        private readonly TimeSpan _timeout;

        public InboxGatherer(
            E164Number handset, IReadOnlySet<Address> nodes, Address self, TimeSpan timeout, int limit, TaskCompletionSource<InboxReading> reading)
        {
            _handset = handset;
            _self = self;
            _timeout = timeout;
            _limit = limit;
            _reading = reading;
            _waitingFor = [.. nodes];
            Receive<InboxPart>(Collect);
            Receive<TimeIsUp>(_ =>
            {
                _reading.TrySetResult(new InboxReading([], _waitingFor.Select(a => a.ToString()).Order(StringComparer.Ordinal).ToList()));
                Context.Stop(Self);
            });
        }

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void PreStart()
        {
            foreach (var node in _waitingFor)
                Context.ActorSelection(new RootActorPath(node) / "user" / ActorName).Tell(new GetInbox(_handset));
            Timers.StartSingleTimer(nameof(TimeIsUp), new TimeIsUp(), _timeout);
        }

        private void Collect(InboxPart part)
        {
            // this node's actor answers from a local path, without the node's address
            var node = Sender.Path.Address.HasLocalScope ? _self : Sender.Path.Address;
            if (!_waitingFor.Contains(node))
                return;
            var key = node.ToString();
            if (!_received.TryGetValue(key, out var messages))
                _received[key] = messages = [];
            messages.AddRange(part.Messages);
            if (!part.IsLast)
                return;
            _waitingFor.Remove(node);
            if (_waitingFor.Count > 0)
                return;
            _reading.TrySetResult(new InboxReading(Merge(_received.Values, _limit), []));
            Context.Stop(Self);
        }

        protected override void PostStop() => _reading.TrySetCanceled();
    }
}
