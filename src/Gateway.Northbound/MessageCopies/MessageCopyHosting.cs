using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Pattern;
using Gateway.Engine.Configuration;
using Gateway.Engine.Provisioning;
using Gateway.Engine.Storage;
using Gateway.Northbound.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Northbound.MessageCopies;

/// <summary>The Message Copy offload's wiring; the host chains these.</summary>
public static class MessageCopyHosting
{
    /// <summary>
    /// The offload as a cluster singleton (restarted with back-off if it fails), so each recording
    /// server is offloaded by one node of the cluster. Needs <see cref="AddMessageCopyOffload"/> in DI.
    /// </summary>
    public static AkkaConfigurationBuilder WithMessageCopyOffload(this AkkaConfigurationBuilder builder, ProvisioningSettings provisioning) =>
        builder.WithSingleton<MessageCopyOffloadSingleton>("message-copy",
            (_, _, resolver) => BackoffSupervisor.Props(Backoff.OnStop(
                MessageCopyOffload.Props(
                    resolver.GetService<MessageCopyStore>(),
                    resolver.GetService<ProvisioningDirectory>(),
                    resolver.GetService<IRecordingServerClient>(),
                    resolver.GetService<MessageCopySettings>()),
                "offload", provisioning.RestartBackoffMin, provisioning.RestartBackoffMax, randomFactor: 0.2, maxNrOfRetries: -1)),
            new ClusterSingletonOptions { Role = ClusterSettings.Role });

    /// <summary>The copy backlog's store and the HTTP client that posts copies.</summary>
    public static IServiceCollection AddMessageCopyOffload(this IServiceCollection services) =>
        services
            .AddSingleton(provider => new MessageCopyStore(provider.GetRequiredService<GatewayDatabase>()))
            .AddSingleton<IRecordingServerClient>(provider => new RecordingServerClient(provider.GetRequiredService<MessageCopySettings>()));
}
