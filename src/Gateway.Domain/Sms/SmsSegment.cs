using System.Buffers.Binary;

namespace Gateway.Domain.Sms;

/// <summary>
/// One short message as an SMPP <c>submit_sm</c> / <c>deliver_sm</c> carries it: <see cref="DataCoding"/>,
/// the UDHI bit of <c>esm_class</c> (<see cref="HasUserDataHeader"/>), and <see cref="ShortMessage"/>:
/// the user data header, if any, followed by the payload. A GSM 7-bit payload is one septet per octet
/// (SMSC default alphabet, SMPP v3.4 §5.2.19; the SMSC packs it for the air interface), a UCS-2
/// payload is UTF-16BE. <see cref="WriteUserData"/> gives the packed TP-UD of the air interface
/// (3GPP TS 23.040 §9.2.3.24), which never exceeds 140 octets.
/// </summary>
public readonly struct SmsSegment
{
    /// <summary>The most octets of TP-UD one SMS carries (TS 23.040 §9.2.3.24).</summary>
    public const int MaxUserDataOctets = 140;

    /// <summary>The most septets of TP-UD one SMS carries, header septets included.</summary>
    public const int MaxUserDataSeptets = 160;

    internal SmsSegment(SmsEncoding encoding, ReadOnlyMemory<byte> shortMessage, int headerLength, ConcatenationInfo? concatenation)
    {
        Encoding = encoding;
        ShortMessage = shortMessage;
        HeaderLength = headerLength;
        Concatenation = concatenation;
    }

    public SmsEncoding Encoding { get; }

    /// <summary>SMPP <c>data_coding</c>: 0x00 (GSM 7-bit) or 0x08 (UCS-2).</summary>
    public byte DataCoding => DataCodings.For(Encoding);

    /// <summary>The user data header (UDHL first) followed by the payload.</summary>
    public ReadOnlyMemory<byte> ShortMessage { get; }

    /// <summary>Octets of the user data header, UDHL included; 0 when there is none.</summary>
    public int HeaderLength { get; }

    /// <summary>Whether the UDHI bit (<c>esm_class</c> 0x40, TP-UDHI) is set.</summary>
    public bool HasUserDataHeader => HeaderLength > 0;

    public ReadOnlyMemory<byte> UserDataHeader => ShortMessage[..HeaderLength];

    public ReadOnlyMemory<byte> Payload => ShortMessage[HeaderLength..];

    /// <summary>The concatenation IE, or null for a message of one segment.</summary>
    public ConcatenationInfo? Concatenation { get; }

    /// <summary>The text's length in its alphabet's units: septets (GSM 7-bit) or UTF-16 code units (UCS-2).</summary>
    public int TextUnits => Encoding == SmsEncoding.Gsm7 ? Payload.Length : Payload.Length / 2;

    /// <summary>TP-UDL: septets of header and text for GSM 7-bit, octets for UCS-2 (TS 23.040 §9.2.3.16).</summary>
    public int UserDataLength => Encoding == SmsEncoding.Gsm7
        ? (HasUserDataHeader ? SeptetPacking.HeaderSeptets(HeaderLength) : 0) + Payload.Length
        : ShortMessage.Length;

    /// <summary>The octets of the packed TP-UD.</summary>
    public int UserDataOctets => Encoding == SmsEncoding.Gsm7
        ? SeptetPacking.PackedLength(UserDataLength)
        : ShortMessage.Length;

    /// <summary>Writes the TP-UD of the air interface: header octets, fill bits, packed septets (or UCS-2 octets).</summary>
    public int WriteUserData(Span<byte> destination)
    {
        var octets = UserDataOctets;
        if (destination.Length < octets)
            throw new ArgumentException($"The destination needs {octets} octets.", nameof(destination));
        if (Encoding == SmsEncoding.Ucs2)
        {
            ShortMessage.Span.CopyTo(destination);
            return octets;
        }
        UserDataHeader.Span.CopyTo(destination);
        var fill = HasUserDataHeader ? SeptetPacking.FillBitsAfterHeader(HeaderLength) : 0;
        var text = destination[HeaderLength..octets];
        text.Clear();
        SeptetPacking.Pack(Payload.Span, text, fill);
        return octets;
    }

    public byte[] ToUserData()
    {
        var userData = new byte[UserDataOctets];
        WriteUserData(userData);
        return userData;
    }

    /// <summary>How many UTF-16 code units <see cref="DecodeText(Span{char})"/> writes.</summary>
    public int TextLength => Encoding == SmsEncoding.Gsm7 ? Gsm7Alphabet.CountCharacters(Payload.Span) : Payload.Length / 2;

    /// <summary>Decodes the payload into <paramref name="destination"/> and returns the characters written.</summary>
    public int DecodeText(Span<char> destination) => DecodePayload(Encoding, Payload.Span, destination);

    public string DecodeText()
    {
        var length = TextLength;
        if (length == 0)
            return string.Empty;
        var buffer = length <= 256 ? stackalloc char[length] : new char[length];
        DecodeText(buffer);
        return new string(buffer);
    }

    /// <summary>
    /// Decodes a payload. UCS-2 is read unit by unit, so a surrogate split across two payloads joins
    /// up again when their characters are concatenated.
    /// </summary>
    internal static int DecodePayload(SmsEncoding encoding, ReadOnlySpan<byte> payload, Span<char> destination)
    {
        if (encoding == SmsEncoding.Gsm7)
            return Gsm7Alphabet.Decode(payload, destination);
        var units = payload.Length / 2;
        for (var i = 0; i < units; i++)
            destination[i] = (char)BinaryPrimitives.ReadUInt16BigEndian(payload[(2 * i)..]);
        return units;
    }

    public override string ToString() =>
        $"{Encoding} segment {Concatenation?.Sequence ?? 1}/{Concatenation?.Total ?? 1}: {Convert.ToHexString(ShortMessage.Span)}";
}
