using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Pattern;
using Akka.Persistence.Sql.Query;
using Akka.Remote.Hosting;
using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;
using Gateway.Engine.Configuration;
using Gateway.Engine.Delivery;
using Gateway.Engine.Provisioning;
using Gateway.Engine.Serialization;
using Gateway.Engine.Storage;
using Gateway.Engine.StatusView;
using Gateway.Engine.Subscribers;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Engine.Hosting;

/// <summary>The engine's Akka.Hosting wiring; the host chains these.</summary>
public static class GatewayHosting
{
    /// <summary>
    /// A gateway cluster node: the loaded configuration, the journal's database connection, remoting
    /// and clustering from <c>gateway.cluster</c>, and the gateway serializer for every wire type.
    /// </summary>
    public static AkkaConfigurationBuilder WithGatewayNode(this AkkaConfigurationBuilder builder, Config config, GatewaySettings settings)
    {
        builder.AddHocon(config, HoconAddMode.Append);
        foreach (var setup in JournalStorage.CreateSetups(settings.Storage))
            builder.AddSetup(setup);
        builder
            .WithRemoting(settings.Cluster.Host, settings.Cluster.Port)
            .WithClustering(new ClusterOptions
            {
                Roles = [ClusterSettings.Role],
                SeedNodes = [.. settings.Cluster.EffectiveSeedNodes],
            })
            .WithCustomSerializer("gateway",
                [typeof(IGatewayWire), typeof(IProvisioningEvent), typeof(IProvisioningCommand), typeof(CatalogSnapshot),
                 typeof(ISubscriberEvent), typeof(SubscriberSnapshot)],
                system => new GatewaySerializer(system));
        if (settings.Cluster.Port == 0 && settings.Cluster.SeedNodes.Count == 0)
        {
            // A random port with no seeds given: the node is its own seed, and its address is known
            // only once remoting is bound.
            builder.AddStartup((system, _) =>
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                cluster.Join(cluster.SelfAddress);
            });
        }
        return builder;
    }

    /// <summary>
    /// The provisioning authority (a cluster singleton, restarted with back-off after a journal
    /// failure) with its proxy under <see cref="ProvisioningAuthority"/>, and this node's directory
    /// follower, which fills the <see cref="ProvisioningDirectory"/> registered in DI.
    /// </summary>
    public static AkkaConfigurationBuilder WithProvisioning(this AkkaConfigurationBuilder builder, ProvisioningSettings settings)
    {
        var authority = BackoffSupervisor.Props(Backoff.OnStop(
            ProvisioningActor.Props(settings.SnapshotEvery, settings.SnapshotEveryFraction), "authority",
            settings.RestartBackoffMin, settings.RestartBackoffMax, randomFactor: 0.2, maxNrOfRetries: -1));
        return builder
            .WithSingleton<ProvisioningAuthority>("provisioning", authority,
                new ClusterSingletonOptions { Role = ClusterSettings.Role })
            .WithActors((system, _, resolver) =>
            {
                var directory = resolver.GetService<ProvisioningDirectory>();
                system.ActorOf(ProvisioningDirectoryFollower.Props(directory, SqlReadJournal.Identifier,
                    settings.RestartBackoffMin, settings.RestartBackoffMax, settings.DirectoryWait), ProvisioningDirectoryFollower.Name);
            });
    }

    /// <summary>
    /// The subscriber shard region (<see cref="SubscriberRegion"/> in the registry): one
    /// <see cref="SubscriberEntity"/> per subscriber id, delivering through the
    /// <see cref="IMobileNetwork"/> and <see cref="IPartnerWebhook"/> registered in DI. Entities are
    /// remembered (eventsourced store): one that has not passivated, i.e. still has work, is started
    /// again after a crash or a rebalance. A hand-off (rebalance, graceful leave) stops each entity with
    /// <see cref="SubscriberEntity.HandOff"/>, which lets a delivery under way finish first.
    /// </summary>
    public static AkkaConfigurationBuilder WithSubscribers(this AkkaConfigurationBuilder builder, SubscriberSettings settings) =>
        builder.WithShardRegion<SubscriberRegion>("subscriber",
            (_, _, resolver) =>
            {
                var directory = resolver.GetService<ProvisioningDirectory>();
                var network = resolver.GetService<IMobileNetwork>();
                var webhook = resolver.GetService<IPartnerWebhook>();
                var permits = new DeliveryPermits(settings.MaxOutcomesUnjournaled);
                return entityId => SubscriberEntity.Props(new SubscriberId(entityId), settings, directory, network, webhook, permits);
            },
            new SubscriberMessageExtractor(settings.Shards),
            new ShardOptions
            {
                Role = ClusterSettings.Role,
                RememberEntities = true,
                RememberEntitiesStore = RememberEntitiesStore.Eventsourced,
                HandOffStopMessage = SubscriberEntity.HandOff.Instance,
            });

    /// <summary>
    /// The projection that keeps the message status view, as a cluster singleton (it is the view's
    /// only writer). Needs <see cref="AddMessageStatus"/> in DI.
    /// </summary>
    public static AkkaConfigurationBuilder WithMessageStatusProjection(this AkkaConfigurationBuilder builder, GatewaySettings settings) =>
        builder.WithSingleton<MessageStatusProjectionSingleton>("message-status",
            (_, _, resolver) => BackoffSupervisor.Props(Backoff.OnStop(
                MessageStatusProjection.Props(SqlReadJournal.Identifier,
                    resolver.GetService<GatewayDatabase>(), settings.MessageStatus, settings.PartnerApi.IdempotencyKeyTtl),
                "projection", settings.Provisioning.RestartBackoffMin, settings.Provisioning.RestartBackoffMax,
                randomFactor: 0.2, maxNrOfRetries: -1)),
            new ClusterSingletonOptions { Role = ClusterSettings.Role });

    /// <summary>
    /// The gateway's own tables (<see cref="GatewayDatabase"/>): the message status view, its reader,
    /// and the partners' idempotency keys.
    /// </summary>
    public static IServiceCollection AddMessageStatus(this IServiceCollection services) =>
        services
            .AddSingleton(provider => new GatewayDatabase(provider.GetRequiredService<GatewaySettings>().Storage))
            .AddSingleton(provider => new MessageStatusStore(provider.GetRequiredService<GatewayDatabase>()))
            .AddSingleton(provider => new IdempotencyStore(provider.GetRequiredService<GatewayDatabase>()))
            .AddSingleton(provider => new MessageStatusReader(provider.GetRequiredService<GatewayDatabase>(),
                provider.GetRequiredService<MessageStatusStore>(), provider.GetRequiredService<GatewaySettings>().MessageStatus,
                TimeProvider.System));

    /// <summary>Registers this node's <see cref="ProvisioningDirectory"/> (one per host).</summary>
    public static IServiceCollection AddProvisioningDirectory(this IServiceCollection services) =>
        services.AddSingleton<ProvisioningDirectory>();
}
