using Akka.Actor;
using Gateway.Engine.Simulator;
using static Gateway.Engine.Simulator.SimulatorProtocol;

namespace Gateway.Southbound.Simulator;

/// <summary>
/// The simulator's actor on each node (<c>/user/simulator</c>): answers other nodes' questions about
/// this node's <see cref="SimulatedMobileNetwork"/>, which holds what the subscriber entities running
/// on this node delivered.
/// </summary>
public sealed class SimulatorNodeActor : ReceiveActor
{
    /// <param name="network">This node's network.</param>
    /// <param name="partBudgetBytes">The most an <see cref="InboxPart"/> may weigh on the wire (a message heavier on its own goes alone).</param>
    public static Props Props(SimulatedMobileNetwork network, long partBudgetBytes) =>
        Akka.Actor.Props.Create(() => new SimulatorNodeActor(network, partBudgetBytes));

    public SimulatorNodeActor(SimulatedMobileNetwork network, long partBudgetBytes)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partBudgetBytes);
        Receive<GetInbox>(question =>
        {
            foreach (var part in Parts(network.GetInbox(question.Handset), partBudgetBytes))
                Sender.Tell(part);
        });
    }

    /// <summary>
    /// <paramref name="inbox"/> in order, in parts of at most <paramref name="budgetBytes"/> by
    /// <see cref="WireSizeBound"/>, each with at least one message; always at least one part (the last).
    /// </summary>
    internal static IEnumerable<InboxPart> Parts(IReadOnlyList<ReceivedMessage> inbox, long budgetBytes)
    {
        var part = new List<ReceivedMessage>();
        long partSize = 0;
        foreach (var message in inbox)
        {
            var size = WireSizeBound(message);
            if (part.Count > 0 && partSize + size > budgetBytes)
            {
                yield return new InboxPart(part, IsLast: false);
                part = [];
                partSize = 0;
            }
            part.Add(message);
            partSize += size;
        }
        yield return new InboxPart(part, IsLast: true);
    }

    /// <summary>
    /// At least the bytes <paramref name="message"/> takes in the gateway serializer's JSON: media as
    /// base64 (4 bytes for 3), every text character as a 6-byte escape at worst, and room for the names.
    /// </summary>
    internal static long WireSizeBound(ReceivedMessage message)
    {
        const int EscapedCharBytes = 6;
        const int FieldOverheadBytes = 256;
        long chars = message.From.Length + (message.Text?.Length ?? 0) + message.To.Sum(t => (long)t.Length);
        long bytes = FieldOverheadBytes;
        foreach (var item in message.Media)
        {
            chars += item.ContentType.Length + (item.FileName?.Length ?? 0);
            bytes += FieldOverheadBytes + (item.Content.LongLength + 2) / 3 * 4;
        }
        return bytes + chars * EscapedCharBytes;
    }
}
