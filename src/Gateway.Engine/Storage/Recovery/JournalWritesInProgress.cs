namespace Gateway.Engine.Storage.Recovery;

/// <summary>
/// The journal writes of subscriber entities not finished yet, by persistence id. An entity that
/// restarts while its last write is still under way must read its highest sequence number after
/// that write, or it would number its next event with one already taken. The base journal waits
/// for such a write in its own <c>ReadHighestSequenceNrAsync</c> but keeps its bookkeeping private,
/// so the batched read keeps the same bookkeeping here, keyed the same way and cleared by the same
/// <c>WriteFinished</c> message the base journal sends itself. Used on the journal actor's thread only.
/// </summary>
internal sealed class JournalWritesInProgress
{
    private readonly Dictionary<string, Task> _writes = new(StringComparer.Ordinal);

    /// <summary>The write of <paramref name="persistenceId"/> still under way, if any.</summary>
    public Task? Pending(string persistenceId) => _writes.GetValueOrDefault(persistenceId);

    public void Started(string persistenceId, Task write) => _writes[persistenceId] = write;

    public void Finished(string persistenceId, Task write)
    {
        // A newer write of the same id may have replaced this one: it stays.
        if (_writes.TryGetValue(persistenceId, out var current) && ReferenceEquals(current, write))
            _writes.Remove(persistenceId);
    }
}
