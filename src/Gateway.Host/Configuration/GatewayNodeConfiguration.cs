using Akka.Configuration;
using Gateway.Engine.Configuration;
using Gateway.Engine.Subscribers;
using Gateway.Northbound.Configuration;
using Gateway.Southbound.Configuration;

namespace Gateway.Host.Configuration;

/// <summary>
/// The node's loaded HOCON and the settings read from it, built once from the host's configuration
/// (environment variables, or settings a test host passes). <c>GATEWAY_CONFIG_FILE</c> names an
/// optional extra HOCON file that overrides everything else (any <c>akka.*</c> or <c>gateway.*</c> key).
/// </summary>
public sealed record GatewayNodeConfiguration(Config Config, GatewaySettings Settings)
{
    public const string ExtraConfigFileVariable = "GATEWAY_CONFIG_FILE";

    public static GatewayNodeConfiguration Load(IConfiguration configuration)
    {
        string? extra = null;
        if (configuration[ExtraConfigFileVariable] is { Length: > 0 } file)
        {
            if (!File.Exists(file))
                throw new GatewayConfigurationException($"{ExtraConfigFileVariable}: file '{file}' does not exist.");
            extra = File.ReadAllText(file);
        }
        var config = GatewayConfig.Load(GatewayConfig.DefaultDirectory, name => configuration[name], extra);
        return new GatewayNodeConfiguration(config, GatewaySettings.FromConfig(config));
    }
}

public static class GatewayNodeConfigurationExtensions
{
    public static IServiceCollection AddGatewayNodeConfiguration(this IServiceCollection services) =>
        services.AddSingleton(sp => GatewayNodeConfiguration.Load(sp.GetRequiredService<IConfiguration>()))
            .AddSingleton(sp => sp.GetRequiredService<GatewayNodeConfiguration>().Settings)
            .AddSingleton(sp => SubscriberSettings.FromConfig(sp.GetRequiredService<GatewayNodeConfiguration>().Config))
            .AddSingleton(sp => WebhookSettings.FromConfig(sp.GetRequiredService<GatewayNodeConfiguration>().Config))
            .AddSingleton(sp => MessageCopySettings.FromConfig(sp.GetRequiredService<GatewayNodeConfiguration>().Config))
            .AddSingleton(sp => NetworkSettings.FromConfig(sp.GetRequiredService<GatewayNodeConfiguration>().Config));
}
