using Gateway.Engine.Configuration;
using Gateway.Southbound.Configuration;

namespace Gateway.Southbound.Tests.Configuration;

public class NetworkSettingsSpecs
{
    private static NetworkSettings Load(string? extraHocon = null) =>
        NetworkSettings.FromConfig(GatewayConfig.Load(GatewayConfig.DefaultDirectory, _ => null, extraHocon));

    [Fact]
    public void NetworkSettings_should_have_the_documented_defaults()
    {
        var settings = Load();

        Assert.Equal(TimeSpan.FromMinutes(5), settings.ReassemblyTimeout);
        Assert.Equal(1000, settings.SimulatorInboxLimit);
        Assert.Equal(TimeSpan.FromSeconds(3), settings.SimulatorClusterTimeout);
    }

    [Fact]
    public void NetworkSettings_should_refuse_a_cluster_timeout_that_is_not_positive()
    {
        var error = Assert.Throws<GatewayConfigurationException>(() => Load("gateway.network.simulator-cluster-timeout = 0s"));

        Assert.Contains("simulator-cluster-timeout", error.Message);
    }
}
