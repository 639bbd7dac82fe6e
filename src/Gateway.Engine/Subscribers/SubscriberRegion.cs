using Akka.Cluster.Sharding;
using static Gateway.Engine.Subscribers.SubscriberProtocol;

namespace Gateway.Engine.Subscribers;

/// <summary>The registry key of the subscriber shard region.</summary>
public sealed class SubscriberRegion;

/// <summary>Routes every <see cref="ISubscriberCommand"/> to the entity of its subscriber id.</summary>
public sealed class SubscriberMessageExtractor(int shards) : HashCodeMessageExtractor(shards)
{
    public override string EntityId(object message) => message is ISubscriberCommand command ? command.SubscriberId : null!;
}
