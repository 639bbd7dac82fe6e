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
    private static volatile bool _failWrites;
    private static volatile GatedMemoryJournal? _current;
    private static long _writes;

    /// <summary>Writes completed by any gated journal of the process so far (for specs that wait for quiet).</summary>
    public static long Writes => Interlocked.Read(ref _writes);

    public GatedMemoryJournal() => _current = this;

    /// <summary>Writes from now on (and held ones, once released) fail, as a database that went away would, until <see cref="Open"/>.</summary>
    public static void FailWrites() => _failWrites = true;

    /// <summary>Lets the held writes go on (to fail, after <see cref="FailWrites"/>) without opening the journal again.</summary>
    public static void ReleaseHeld() => _gate.TrySetResult();

    /// <summary>The events journaled so far for <paramref name="persistenceId"/> by the newest journal, in order.</summary>
    public static IReadOnlyList<object> EventsOf(string persistenceId) =>
        _current is { } journal ? [.. journal.Read(persistenceId, 0, long.MaxValue, long.MaxValue).Select(e => e.Payload)] : [];

    /// <summary>Writes from now on wait until <see cref="Open"/>.</summary>
    public static void Close() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets every held write through, and every later one.</summary>
    public static void Open()
    {
        _failWrites = false;
        _gate.TrySetResult();
    }

    protected override async Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        await _gate.Task;
        if (_failWrites)
            throw new InvalidOperationException("The journal is failing writes (GatedMemoryJournal.FailWrites).");
        var result = await base.WriteMessagesAsync(messages, cancellationToken);
        Interlocked.Increment(ref _writes);
        return result;
    }

    private static TaskCompletionSource Opened()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }
}
