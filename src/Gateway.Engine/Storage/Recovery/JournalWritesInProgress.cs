using Akka.Actor;

namespace Gateway.Engine.Storage.Recovery;

/// <summary>
/// The journal writes of subscriber entities not finished yet, by persistence id. An entity that
/// restarts while its last write is still under way must read its highest sequence number after
/// that write, or it would number its next event with one already taken. The base journal waits
/// for such a write in its own <c>ReadHighestSequenceNrAsync</c>, but keeps its bookkeeping private,
/// so the batched read keeps the same bookkeeping here. Used on the journal actor's thread only.
/// </summary>
internal sealed class JournalWritesInProgress
{
    private readonly Dictionary<string, Task> _writes = new(StringComparer.Ordinal);

    /// <summary>The write of <paramref name="persistenceId"/> still under way, if any.</summary>
    public Task? Pending(string persistenceId) => _writes.GetValueOrDefault(persistenceId);

    /// <summary>
    /// Remembers <paramref name="write"/> until the journal actor receives its completion (sent to
    /// <paramref name="journal"/> unless <paramref name="stopping"/> is canceled first).
    /// </summary>
    public void Started(string persistenceId, Task write, IActorRef journal, CancellationToken stopping)
    {
        _writes[persistenceId] = write;
        write.ContinueWith(_ => journal.Tell(new Finished(persistenceId, write)),
            stopping, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Handles the journal actor's own completion messages; false for any other message.</summary>
    public bool Handle(object message)
    {
        if (message is not Finished finished)
            return false;
        // A newer write of the same id may have replaced this one: it stays.
        if (_writes.TryGetValue(finished.PersistenceId, out var current) && ReferenceEquals(current, finished.Write))
            _writes.Remove(finished.PersistenceId);
        return true;
    }

    private sealed record Finished(string PersistenceId, Task Write) : INoSerializationVerificationNeeded;
}
