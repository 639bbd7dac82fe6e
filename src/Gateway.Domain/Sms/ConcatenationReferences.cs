namespace Gateway.Domain.Sms;

/// <summary>
/// The 8-bit concatenation reference, rotated per destination: a handset tells two long messages
/// from the same sender apart by it (3GPP TS 23.040 §9.2.3.24.1: "constant for every short message
/// which makes up a particular concatenated short message"). The first reference of a destination
/// is random, so that a restarted gateway does not reuse the references of its last messages while
/// the handset may still hold their parts. Not thread-safe: one owner (a subscriber's actor) uses it.
/// </summary>
public sealed class ConcatenationReferences
{
    private readonly Dictionary<string, byte> _next = new(StringComparer.Ordinal);
    private readonly Random _random;

    public ConcatenationReferences(Random? random = null) => _random = random ?? Random.Shared;

    /// <summary>The reference for the next concatenated message to <paramref name="destination"/>.</summary>
    public byte Next(string destination)
    {
        if (!_next.TryGetValue(destination, out var reference))
            reference = (byte)_random.Next(0, 256);
        _next[destination] = unchecked((byte)(reference + 1));
        return reference;
    }
}
