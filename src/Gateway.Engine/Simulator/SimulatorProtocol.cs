using Gateway.Domain.Addressing;
using Gateway.Engine.Serialization;

namespace Gateway.Engine.Simulator;

/// <summary>
/// What the embedded mobile-network simulator's actor on each node (<c>/user/simulator</c>) answers, so
/// that any node can show what a handset received on every node of the cluster.
/// </summary>
public static class SimulatorProtocol
{
    /// <summary>The path of the simulator's actor on every node, under <c>/user</c>.</summary>
    public const string ActorName = "simulator";

    /// <summary>
    /// What <paramref name="Handset"/> received on the asked node. Answered with one or more
    /// <see cref="InboxPart"/>s, the last one marked <see cref="InboxPart.IsLast"/>.
    /// </summary>
    public sealed record GetInbox(E164Number Handset) : IGatewayWire;

    /// <summary>
    /// A run of the asked node's inbox for the handset, oldest first. An inbox goes in several parts
    /// when its MMS media would not fit in one remoting frame (<c>akka.remote.dot-netty.tcp.maximum-frame-size</c>);
    /// parts from one node arrive in order.
    /// </summary>
    public sealed record InboxPart(IReadOnlyList<ReceivedMessage> Messages, bool IsLast) : IGatewayWire;
}
