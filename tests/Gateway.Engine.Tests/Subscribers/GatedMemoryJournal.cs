using System.Collections.Immutable;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace Gateway.Engine.Tests.Subscribers;

/// <summary>
/// The in-memory journal, whose writes a spec can hold back (<see cref="Close"/>) and let through
/// (<see cref="Open"/>) to play a journal that falls behind. Open unless a spec closes it; one gate
/// for the process, so only specs of the serial <see cref="SubscriberEntityCollection"/> use it.
/// </summary>
public sealed class GatedMemoryJournal : MemoryJournal
{
    public const string Config = """
        akka.persistence.journal.plugin = "akka.persistence.journal.gated"
        akka.persistence.journal.gated {
          class = "Gateway.Engine.Tests.Subscribers.GatedMemoryJournal, Gateway.Engine.Tests"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        """;

    private static volatile TaskCompletionSource _gate = Opened();

    /// <summary>Writes from now on wait until <see cref="Open"/>.</summary>
    public static void Close() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets every held write through, and every later one.</summary>
    public static void Open() => _gate.TrySetResult();

    protected override async Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        await _gate.Task;
        return await base.WriteMessagesAsync(messages, cancellationToken);
    }

    private static TaskCompletionSource Opened()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }
}
