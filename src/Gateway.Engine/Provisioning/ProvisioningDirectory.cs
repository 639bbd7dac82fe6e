using Gateway.Domain.Provisioning;

namespace Gateway.Engine.Provisioning;

/// <summary>
/// This node's read-only copy of the provisioning <see cref="Catalog"/>, for the hot path: partner
/// authentication, owner lookup by DID, sender lookup by mobile number. Lookups read an immutable
/// catalog through one volatile reference, without locks or actor round trips.
/// </summary>
/// <remarks>
/// The copy is fed by <see cref="ProvisioningDirectoryFollower"/>, which reads the authority's
/// journal (snapshot, then a live query), and by admin handlers on this node, which offer the event
/// the authority just journaled so that a resource written through a node is visible to that node
/// at once. Events are applied strictly in sequence-number order; an event that arrives ahead of a
/// gap waits until the journal query fills the gap.
/// </remarks>
public sealed class ProvisioningDirectory
{
    /// <summary>Events held ahead of a gap; beyond this the newest are dropped and the query supplies them later.</summary>
    private const int MaxEventsAheadOfGap = 10_000;

    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, IProvisioningEvent> _ahead = new();
    private readonly List<(long SequenceNr, TaskCompletionSource Done)> _waiters = [];
    private volatile Version _current = new(Catalog.Empty, 0);
    private volatile bool _isLoaded;
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed record Version(Catalog Catalog, long SequenceNr);

    /// <summary>The catalog as of <see cref="SequenceNr"/>.</summary>
    public Catalog Catalog => _current.Catalog;

    /// <summary>Sequence number of the last authority event included in <see cref="Catalog"/>.</summary>
    public long SequenceNr => _current.SequenceNr;

    /// <summary>True once the directory has read the whole journal once since this node started.</summary>
    public bool IsLoaded => _isLoaded;

    /// <summary>Starts from a snapshot, if it is newer than what the directory holds.</summary>
    public void Reset(Catalog catalog, long sequenceNr)
    {
        lock (_gate)
        {
            if (sequenceNr <= _current.SequenceNr)
                return;
            _current = new Version(catalog, sequenceNr);
            DrainAhead();
            ReleaseWaiters();
        }
    }

    /// <summary>Applies the authority's event number <paramref name="sequenceNr"/> (duplicates are ignored).</summary>
    public void Apply(long sequenceNr, IProvisioningEvent e)
    {
        lock (_gate)
        {
            var current = _current;
            if (sequenceNr <= current.SequenceNr)
                return;
            if (sequenceNr > current.SequenceNr + 1)
            {
                if (_ahead.Count < MaxEventsAheadOfGap)
                    _ahead.TryAdd(sequenceNr, e);
                return;
            }
            _current = new Version(current.Catalog.Apply(e), sequenceNr);
            DrainAhead();
            ReleaseWaiters();
        }
    }

    /// <summary>Marks the first full read of the journal as done (readiness).</summary>
    public void MarkLoaded()
    {
        _isLoaded = true;
        _loaded.TrySetResult();
    }

    /// <summary>Completes once <see cref="IsLoaded"/> is true.</summary>
    public Task Loaded => _loaded.Task;

    /// <summary>
    /// Completes with true once the directory includes event <paramref name="sequenceNr"/>, or with
    /// false after <paramref name="timeout"/>.
    /// </summary>
    public async Task<bool> WaitForAsync(long sequenceNr, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Task done;
        lock (_gate)
        {
            if (_current.SequenceNr >= sequenceNr)
                return true;
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((sequenceNr, waiter));
            done = waiter.Task;
        }
        try
        {
            await done.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private void DrainAhead()
    {
        while (_ahead.Count > 0)
        {
            var (first, e) = _ahead.First();
            var current = _current;
            if (first > current.SequenceNr + 1)
                return;
            _ahead.Remove(first);
            if (first == current.SequenceNr + 1)
                _current = new Version(current.Catalog.Apply(e), first);
        }
    }

    private void ReleaseWaiters()
    {
        var reached = _current.SequenceNr;
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].SequenceNr <= reached)
            {
                _waiters[i].Done.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }
}
