using Akka.Configuration;
using Gateway.Engine.Configuration;

namespace Gateway.Southbound.Configuration;

/// <summary>The mobile-network side (<c>gateway.network</c>).</summary>
public sealed record NetworkSettings(TimeSpan ReassemblyTimeout)
{
    public static NetworkSettings FromConfig(Config config) =>
        new(ConfigReader.PositiveDuration(config.GetConfig("gateway.network"), "reassembly-timeout"));
}
