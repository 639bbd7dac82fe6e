using Akka.Actor;
using Akka.Hosting;
using Gateway.Engine.Delivery;
using Gateway.Engine.Simulator;
using Gateway.Southbound.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Southbound.Simulator;

/// <summary>The embedded simulator as the node's southbound network, one network across the cluster.</summary>
public static class SimulatorHosting
{
    /// <summary>
    /// Registers this node's <see cref="SimulatedMobileNetwork"/> as the <see cref="IMobileNetwork"/>, with the
    /// cluster's <see cref="ReplicatedHandsetReachability"/>, and the <see cref="ClusterInbox"/> that reads
    /// every node's. Needs <see cref="NetworkSettings"/> in DI, and <see cref="WithNetworkSimulator"/>.
    /// </summary>
    public static IServiceCollection AddNetworkSimulator(this IServiceCollection services) =>
        services
            .AddSingleton(sp => new ReplicatedHandsetReachability(sp.GetRequiredService<NetworkSettings>().SimulatorClusterTimeout))
            .AddSingleton(sp => new SimulatedMobileNetwork(
                SimulatorOptions.From(sp.GetRequiredService<NetworkSettings>()),
                reachability: sp.GetRequiredService<ReplicatedHandsetReachability>()))
            .AddSingleton<IMobileNetwork>(sp => sp.GetRequiredService<SimulatedMobileNetwork>())
            .AddSingleton(sp =>
            {
                var settings = sp.GetRequiredService<NetworkSettings>();
                return new ClusterInbox(sp.GetRequiredService<ActorSystem>(), settings.SimulatorClusterTimeout, settings.SimulatorInboxLimit);
            });

    /// <summary>
    /// Starts this node's <see cref="SimulatorNodeActor"/> (<c>/user/simulator</c>), which answers for
    /// <paramref name="network"/>, and <paramref name="reachability"/>'s replication.
    /// </summary>
    public static AkkaConfigurationBuilder WithNetworkSimulator(
        this AkkaConfigurationBuilder builder, SimulatedMobileNetwork network, ReplicatedHandsetReachability reachability) =>
        builder.WithActors((system, _) =>
        {
            reachability.Start(system);
            // half a frame: the parts' size is an upper bound, and the envelope needs room too
            var frame = system.Settings.Config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size", null)
                        ?? throw new InvalidOperationException("akka.remote.dot-netty.tcp.maximum-frame-size is not set.");
            system.ActorOf(SimulatorNodeActor.Props(network, frame / 2), SimulatorProtocol.ActorName);
        });
}
