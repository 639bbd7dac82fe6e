using Akka.Configuration;
using Gateway.Engine.Configuration;

namespace Gateway.Engine.Subscribers;

/// <summary>What a subscriber entity needs from <c>gateway.delivery</c> and <c>gateway.network</c>.</summary>
/// <param name="AcceptTimeout">How long an accept (a partner's message, a handset's segment) waits for its journal write before the caller hears "unavailable".</param>
/// <param name="AcceptReplyGrace">How much longer than <paramref name="AcceptTimeout"/> a partner's POST waits for
/// its entity's verdict on a write (the reply's trip across the cluster, clock differences between nodes).</param>
/// <param name="Shards">Shards of the subscriber region: about ten per node of the largest planned cluster; never changed once data exists.</param>
/// <param name="EgressInterval">1 / egress rate: the least time between two releases of one lane.</param>
/// <param name="MaxOutcomesUnjournaled">Delivery outcomes of the node waiting to be journaled (<see cref="DeliveryPermits"/>).</param>
/// <param name="LaneIdleAfter">How long a lane with nothing to deliver runs before its entity stops it.</param>
public sealed record SubscriberSettings(
    TimeSpan RetryInterval,
    TimeSpan MessageTtl,
    TimeSpan EgressInterval,
    TimeSpan ReassemblyTimeout,
    TimeSpan PassivateAfter,
    TimeSpan LaneIdleAfter,
    int SnapshotEvery,
    int Shards,
    TimeSpan AcceptTimeout,
    TimeSpan AcceptReplyGrace,
    int MaxOutcomesUnjournaled = 1024)
{
    public static SubscriberSettings FromConfig(Config config)
    {
        var delivery = DeliverySettings.FromConfig(config.GetConfig("gateway.delivery"));
        var section = config.GetConfig("gateway.delivery");
        return new SubscriberSettings(
            delivery.RetryInterval,
            delivery.MessageTtl,
            TimeSpan.FromTicks(TimeSpan.TicksPerSecond / delivery.EgressRate),
            ConfigReader.PositiveDuration(config.GetConfig("gateway.network"), "reassembly-timeout"),
            ConfigReader.PositiveDuration(section, "passivate-after"),
            ConfigReader.PositiveDuration(section, "lane-idle-after"),
            ConfigReader.PositiveInt(section, "snapshot-every"),
            ConfigReader.PositiveInt(section, "shards"),
            ConfigReader.PositiveDuration(section, "accept-timeout"),
            ConfigReader.PositiveDuration(section, "accept-reply-grace"),
            ConfigReader.PositiveInt(section, "max-outcomes-unjournaled"));
    }
}
