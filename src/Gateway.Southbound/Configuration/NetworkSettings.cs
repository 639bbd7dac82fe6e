using Akka.Configuration;
using Gateway.Engine.Configuration;

namespace Gateway.Southbound.Configuration;

/// <summary>The mobile-network side (<c>gateway.network</c>).</summary>
/// <param name="SimulatorInboxLimit">Messages the embedded simulator keeps per handset; older ones are dropped.</param>
public sealed record NetworkSettings(TimeSpan ReassemblyTimeout, int SimulatorInboxLimit)
{
    public static NetworkSettings FromConfig(Config config)
    {
        var section = config.GetConfig("gateway.network");
        return new(ConfigReader.PositiveDuration(section, "reassembly-timeout"), ConfigReader.PositiveInt(section, "simulator-inbox-limit"));
    }
}
