namespace Gateway.Domain.Sms;

/// <summary>
/// The concatenated short message information element of a segment (3GPP TS 23.040 §9.2.3.24.1,
/// IEI 0x00, 8-bit reference; §9.2.3.24.8, IEI 0x08, 16-bit reference).
/// </summary>
/// <param name="Reference">The reference number shared by every segment of one message.</param>
/// <param name="Total">How many segments the message has, 1-255.</param>
/// <param name="Sequence">This segment's number, 1 to <paramref name="Total"/>.</param>
/// <param name="SixteenBitReference">Whether the reference came in IE 0x08 rather than 0x00.</param>
public readonly record struct ConcatenationInfo(ushort Reference, byte Total, byte Sequence, bool SixteenBitReference = false)
{
    /// <summary>IEI of the concatenation IE with an 8-bit reference.</summary>
    public const byte Iei8Bit = 0x00;

    /// <summary>IEI of the concatenation IE with a 16-bit reference.</summary>
    public const byte Iei16Bit = 0x08;

    /// <summary>The most segments one message can have (the total is one octet).</summary>
    public const int MaxSegments = 255;

    /// <summary>Octets of the user data header the gateway writes: UDHL, IEI, IEDL, reference, total, sequence.</summary>
    public const int HeaderLength8Bit = 6;
}
