using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Gateway.Domain.Addressing;

namespace Gateway.Southbound.Simulator;

/// <summary>
/// Handset reachability as one setting for the whole cluster: the handsets switched unreachable are an
/// <see cref="ORSet{T}"/> of Akka.DistributedData, replicated to every node, nodes that join later included.
/// <para>
/// A change is written with <see cref="WriteAll"/>: it is confirmed only once every node of the cluster
/// holds it, so that a confirmed change holds for the next delivery on any node. Each delivery reads this
/// node's replica (<see cref="ReadLocal"/>, a message to a local actor) rather than a copy kept by
/// subscribing, because the replicator tells subscribers of a change only every
/// <c>notify-subscribers-interval</c>, after the write was confirmed.
/// </para>
/// <para>
/// A node that has just joined has not had the cluster's gossip yet: once it is Up it reads the set from a
/// majority of the nodes (<see cref="ReadMajority"/>), and its deliveries wait for that read (at most the
/// timeout; then they fail temporarily). Concurrent changes of one handset through two nodes leave it
/// unreachable (an observed-remove set keeps an add it has not seen removed).
/// </para>
/// </summary>
public sealed class ReplicatedHandsetReachability : IHandsetReachability
{
    internal static readonly ORSetKey<string> UnreachableHandsets = new("simulator-unreachable-handsets");

    private readonly TimeSpan _timeout;
    private readonly TaskCompletionSource _synchronized = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IActorRef? _replicator;
    private UniqueAddress? _self;
    private ILoggingAdapter _log = NoLogger.Instance;

    /// <param name="timeout">
    /// How long a change waits for every node's confirmation, a joining node's first read waits for a
    /// majority, and a delivery waits for that first read (<c>gateway.network.simulator-cluster-timeout</c>).
    /// </param>
    public ReplicatedHandsetReachability(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive.");
        _timeout = timeout;
    }

    /// <summary>Joins this node's replicator; the first read from the cluster happens once the node is Up.</summary>
    public void Start(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (_replicator is not null)
            throw new InvalidOperationException("The reachability is already started.");
        var cluster = Cluster.Get(system);
        _self = cluster.SelfUniqueAddress;
        _log = Logging.GetLogger(system, typeof(ReplicatedHandsetReachability));
        _replicator = DistributedData.Get(system).Replicator;
        cluster.RegisterOnMemberUp(() => _ = ReadFromClusterAsync());
    }

    /// <inheritdoc />
    public async ValueTask<bool> IsReachableAsync(E164Number handset, CancellationToken cancellationToken)
    {
        await WhenReadFromClusterAsync(cancellationToken).ConfigureAwait(false);
        var answer = await _replicator!.Ask<IGetResponse>(Dsl.Get(UnreachableHandsets, ReadLocal.Instance), _timeout, cancellationToken)
            .ConfigureAwait(false);
        return answer switch
        {
            GetSuccess found => !found.Get(UnreachableHandsets).Contains(handset.Value),
            NotFound => true,
            _ => throw new InvalidOperationException($"The replicator answered {answer}."),
        };
    }

    /// <summary>
    /// Switches <paramref name="handset"/> for every node. True once every node of the cluster holds the
    /// change; false when some node did not confirm it in time (one is unreachable, or this node has not
    /// joined yet): the change then holds where it arrived and reaches the other nodes by gossip.
    /// </summary>
    public async Task<bool> SetReachableAsync(E164Number handset, bool reachable, CancellationToken cancellationToken)
    {
        try
        {
            await WhenReadFromClusterAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }
        var self = _self!;
        var mobile = handset.Value;
        var update = Dsl.Update(UnreachableHandsets, ORSet<string>.Empty, new WriteAll(_timeout),
            set => reachable ? set.Remove(self, mobile) : set.Add(self, mobile));
        // no Ask timeout: the replicator answers by the write's own timeout
        var answer = await _replicator!.Ask<IUpdateResponse>(update, cancellationToken).ConfigureAwait(false);
        return answer.IsSuccessful;
    }

    private async Task ReadFromClusterAsync()
    {
        try
        {
            // no Ask timeout: the replicator answers by the read's own timeout
            var answer = await _replicator!.Ask<IGetResponse>(Dsl.Get(UnreachableHandsets, new ReadMajority(_timeout))).ConfigureAwait(false);
            if (answer is GetFailure)
                _log.Warning("Handset reachability: no majority of the nodes answered within {0}; following gossip from the nodes that did", _timeout);
        }
        catch (Exception exception)
        {
            _log.Warning(exception, "Handset reachability: the first read from the cluster failed; following gossip");
        }
        finally
        {
            _synchronized.TrySetResult();
        }
    }

    private async Task WhenReadFromClusterAsync(CancellationToken cancellationToken)
    {
        if (_synchronized.Task.IsCompleted)
            return;
        try
        {
            await _synchronized.Task.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(_replicator is null
                ? "the simulator's reachability is not started"
                : $"this node has not read the cluster's handset reachability within {_timeout} (it has not joined yet)");
        }
    }
}
