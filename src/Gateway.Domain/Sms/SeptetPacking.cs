namespace Gateway.Domain.Sms;

/// <summary>
/// Packing of GSM 7-bit septets into octets (3GPP TS 23.038 §6.1.2.1.1): septet <c>n</c> occupies
/// bits <c>7n</c> to <c>7n+6</c> of the stream, least significant bit first. When a user data header
/// precedes the text, the text starts after <c>fillBits</c> zero bits so that it begins on a septet
/// boundary of the whole TP-UD (TS 23.040 §9.2.3.24).
/// </summary>
public static class SeptetPacking
{
    /// <summary>The octets that <paramref name="septetCount"/> septets take after <paramref name="fillBits"/> fill bits.</summary>
    public static int PackedLength(int septetCount, int fillBits = 0) => (fillBits + septetCount * 7 + 7) / 8;

    /// <summary>
    /// The fill bits after a user data header of <paramref name="headerOctets"/> octets (UDHL included):
    /// as many as bring the header to a whole number of septets.
    /// </summary>
    public static int FillBitsAfterHeader(int headerOctets) => (7 - headerOctets * 8 % 7) % 7;

    /// <summary>The septets a user data header of <paramref name="headerOctets"/> octets (UDHL included) occupies.</summary>
    public static int HeaderSeptets(int headerOctets) => (headerOctets * 8 + 6) / 7;

    /// <summary>
    /// Packs <paramref name="septets"/> (one per byte, at most 0x7F) into <paramref name="destination"/>
    /// after <paramref name="fillBits"/> zero bits, and returns the octets written.
    /// </summary>
    public static int Pack(ReadOnlySpan<byte> septets, Span<byte> destination, int fillBits = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fillBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fillBits, 6);
        var length = PackedLength(septets.Length, fillBits);
        if (destination.Length < length)
            throw new ArgumentException("The destination is too small for the packed septets.", nameof(destination));

        var written = 0;
        var accumulator = 0;
        var bits = fillBits;
        foreach (var septet in septets)
        {
            accumulator |= (septet & Gsm7Alphabet.MaxSeptet) << bits;
            bits += 7;
            if (bits >= 8)
            {
                destination[written++] = (byte)accumulator;
                accumulator >>= 8;
                bits -= 8;
            }
        }
        if (bits > 0)
            destination[written++] = (byte)accumulator;
        return written;
    }

    /// <summary>
    /// Unpacks <paramref name="septetCount"/> septets that start after <paramref name="fillBits"/> bits of
    /// <paramref name="packed"/> into <paramref name="destination"/>, one per byte. Returns false when
    /// <paramref name="packed"/> is too short to hold them.
    /// </summary>
    public static bool TryUnpack(ReadOnlySpan<byte> packed, int septetCount, Span<byte> destination, int fillBits = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(septetCount);
        ArgumentOutOfRangeException.ThrowIfNegative(fillBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fillBits, 6);
        if (packed.Length < PackedLength(septetCount, fillBits))
            return false;
        if (destination.Length < septetCount)
            throw new ArgumentException("The destination is too small for the septets.", nameof(destination));

        var read = 0;
        var accumulator = 0;
        var bits = 0;
        var skip = fillBits;
        for (var n = 0; n < septetCount; n++)
        {
            while (bits < 7 + skip)
            {
                accumulator |= packed[read++] << bits;
                bits += 8;
            }
            accumulator >>= skip;
            bits -= skip;
            skip = 0;
            destination[n] = (byte)(accumulator & Gsm7Alphabet.MaxSeptet);
            accumulator >>= 7;
            bits -= 7;
        }
        return true;
    }
}
