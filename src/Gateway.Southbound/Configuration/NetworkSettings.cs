using Akka.Configuration;
using Gateway.Engine.Configuration;

namespace Gateway.Southbound.Configuration;

/// <summary>The mobile-network side (<c>gateway.network</c>).</summary>
/// <param name="SimulatorInboxLimit">Messages the embedded simulator keeps per handset; older ones are dropped.</param>
/// <param name="SimulatorClusterTimeout">
/// How long the simulator waits for the other nodes: their inboxes for a read, every node's
/// confirmation of a reachability change, a joining node's first read of the reachability.
/// </param>
public sealed record NetworkSettings(TimeSpan ReassemblyTimeout, int SimulatorInboxLimit, TimeSpan SimulatorClusterTimeout)
{
    public static NetworkSettings FromConfig(Config config)
    {
        var section = config.GetConfig("gateway.network");
        return new(
            ConfigReader.PositiveDuration(section, "reassembly-timeout"),
            ConfigReader.PositiveInt(section, "simulator-inbox-limit"),
            ConfigReader.PositiveDuration(section, "simulator-cluster-timeout"));
    }
}
