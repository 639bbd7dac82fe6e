namespace Gateway.Domain.Media;

/// <summary>
/// The decoded bytes one message's media may take together (the gateway's limit comes from
/// configuration). One budget per message; not thread-safe.
/// </summary>
public sealed class MediaBudget
{
    public MediaBudget(long limitBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limitBytes);
        LimitBytes = limitBytes;
    }

    public long LimitBytes { get; }

    public long UsedBytes { get; private set; }

    public long RemainingBytes => LimitBytes - UsedBytes;

    /// <summary>Takes <paramref name="bytes"/> from the budget if they fit; otherwise takes nothing.</summary>
    public bool TryReserve(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes > RemainingBytes)
            return false;
        UsedBytes += bytes;
        return true;
    }
}
