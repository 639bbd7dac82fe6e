using Akka.Actor;
using Akka.Cluster;

namespace Gateway.Engine.Provisioning;

/// <summary>
/// Read-your-writes across the cluster: an admin write answers once every node that serves traffic
/// includes it, so a subscriber provisioned through node A is at once served by node B (without it,
/// node B would see the write only at its live query's next poll of the journal).
/// </summary>
public static class ProvisioningPropagation
{
    /// <summary>
    /// Waits until this node's directory and the directory of every other <c>Up</c>, reachable gateway
    /// node include the authority's event <paramref name="sequenceNr"/>, each for at most
    /// <paramref name="wait"/>. Returns the nodes that did not confirm in time (they include the event
    /// at their next journal poll; the write itself is durable either way).
    /// </summary>
    public static async Task<IReadOnlyList<Address>> WaitForEveryNodeAsync(
        ActorSystem system, ProvisioningDirectory local, long sequenceNr, TimeSpan wait, CancellationToken cancellationToken)
    {
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        var others = state.Members
            .Where(m => m.Status == MemberStatus.Up && m.HasRole(Gateway.Engine.Configuration.ClusterSettings.Role) && m.Address != cluster.SelfAddress
                        && !state.Unreachable.Contains(m))
            .Select(m => m.Address)
            .ToList();

        var localDone = local.WaitForAsync(sequenceNr, wait, cancellationToken);
        var remote = others.Select(async address =>
        {
            var follower = system.ActorSelection(new RootActorPath(address) / "user" / ProvisioningDirectoryFollower.Name);
            try
            {
                var reply = await follower.Ask<ProvisioningProtocol.CaughtUpTo>(
                    new ProvisioningProtocol.CatchUpTo(sequenceNr), wait, cancellationToken);
                return (Address: address, reply.Reached);
            }
            catch (AskTimeoutException)
            {
                return (Address: address, Reached: false);
            }
        }).ToList();

        var missing = new List<Address>();
        if (!await localDone)
            missing.Add(cluster.SelfAddress);
        foreach (var (address, reached) in await Task.WhenAll(remote))
        {
            if (!reached)
                missing.Add(address);
        }
        return missing;
    }
}
