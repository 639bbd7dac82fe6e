using System.Diagnostics.CodeAnalysis;

namespace Gateway.Domain.Sms;

/// <summary>
/// Reads segments received from the network. Any input gives either a segment or an
/// <see cref="SmsCodecError"/>; none throws.
/// </summary>
public static class SmsSegmentParser
{
    /// <summary>
    /// Reads a segment in the SMPP form: <c>data_coding</c> (0x00 or 0x08), the UDHI bit of
    /// <c>esm_class</c>, and <c>short_message</c>. The segment refers to <paramref name="shortMessage"/>
    /// without copying it.
    /// </summary>
    public static bool TryParseShortMessage(
        byte dataCoding,
        bool userDataHeaderIndicator,
        ReadOnlyMemory<byte> shortMessage,
        out SmsSegment segment,
        [NotNullWhen(false)] out SmsCodecError? error)
    {
        segment = default;
        if (!DataCodings.TryGetSmppEncoding(dataCoding, out var encoding))
        {
            error = new SmsCodecError(SmsCodecErrorCode.UnsupportedDataCoding,
                $"data_coding 0x{dataCoding:X2} is neither 0x00 (GSM 7-bit) nor 0x08 (UCS-2)");
            return false;
        }
        return TryCreate(encoding, userDataHeaderIndicator, shortMessage, out segment, out error);
    }

    /// <summary>
    /// Reads a segment in the air-interface form (3GPP TS 23.040 §9.2.3): TP-DCS, TP-UDHI, TP-UDL and
    /// TP-UD, which must be exactly as long as TP-UDL says. GSM 7-bit septets are unpacked into a new buffer.
    /// </summary>
    public static bool TryParseUserData(
        byte dataCodingScheme,
        bool userDataHeaderIndicator,
        int userDataLength,
        ReadOnlySpan<byte> userData,
        out SmsSegment segment,
        [NotNullWhen(false)] out SmsCodecError? error)
    {
        segment = default;
        if (!DataCodings.TryGetTpDcsEncoding(dataCodingScheme, out var encoding))
        {
            error = new SmsCodecError(SmsCodecErrorCode.UnsupportedDataCoding,
                $"TP-DCS 0x{dataCodingScheme:X2} is not GSM 7-bit or UCS-2 text");
            return false;
        }
        var limit = encoding == SmsEncoding.Gsm7 ? SmsSegment.MaxUserDataSeptets : SmsSegment.MaxUserDataOctets;
        if (userDataLength < 0 || userDataLength > limit)
        {
            error = new SmsCodecError(SmsCodecErrorCode.UserDataTooLong, $"TP-UDL {userDataLength} is outside 0-{limit}");
            return false;
        }
        var octets = encoding == SmsEncoding.Gsm7 ? SeptetPacking.PackedLength(userDataLength) : userDataLength;
        if (userData.Length != octets)
        {
            error = new SmsCodecError(SmsCodecErrorCode.TruncatedPayload,
                $"TP-UDL {userDataLength} needs {octets} octets of TP-UD, not {userData.Length}");
            return false;
        }
        if (encoding == SmsEncoding.Ucs2)
            return TryCreate(encoding, userDataHeaderIndicator, userData.ToArray(), out segment, out error);

        var headerLength = 0;
        if (userDataHeaderIndicator)
        {
            if (!UserDataHeader.TryRead(userData, out headerLength, out _, out error))
                return false;
            if (SeptetPacking.HeaderSeptets(headerLength) > userDataLength)
            {
                error = new SmsCodecError(SmsCodecErrorCode.TruncatedPayload,
                    $"the {headerLength}-octet header is longer than TP-UDL {userDataLength} septets");
                return false;
            }
        }
        var septets = userDataLength - (userDataHeaderIndicator ? SeptetPacking.HeaderSeptets(headerLength) : 0);
        var fill = userDataHeaderIndicator ? SeptetPacking.FillBitsAfterHeader(headerLength) : 0;
        var shortMessage = new byte[headerLength + septets];
        userData[..headerLength].CopyTo(shortMessage);
        // Lengths were checked above: TP-UD holds exactly the header, the fill bits and the septets.
        SeptetPacking.TryUnpack(userData[headerLength..], septets, shortMessage.AsSpan(headerLength), fill);
        return TryCreate(encoding, userDataHeaderIndicator, shortMessage, out segment, out error);
    }

    private static bool TryCreate(
        SmsEncoding encoding,
        bool userDataHeaderIndicator,
        ReadOnlyMemory<byte> shortMessage,
        out SmsSegment segment,
        [NotNullWhen(false)] out SmsCodecError? error)
    {
        segment = default;
        var headerLength = 0;
        ConcatenationInfo? concatenation = null;
        var data = shortMessage.Span;
        if (userDataHeaderIndicator && !UserDataHeader.TryRead(data, out headerLength, out concatenation, out error))
            return false;

        var payload = data[headerLength..];
        if (encoding == SmsEncoding.Ucs2)
        {
            if (payload.Length % 2 != 0)
            {
                error = new SmsCodecError(SmsCodecErrorCode.TruncatedPayload,
                    $"the UCS-2 payload has an odd number of octets ({payload.Length})");
                return false;
            }
            if (data.Length > SmsSegment.MaxUserDataOctets)
            {
                error = new SmsCodecError(SmsCodecErrorCode.UserDataTooLong,
                    $"{data.Length} octets of UCS-2 user data; one SMS carries {SmsSegment.MaxUserDataOctets}");
                return false;
            }
        }
        else
        {
            var invalid = payload.IndexOfAnyExceptInRange((byte)0, Gsm7Alphabet.MaxSeptet);
            if (invalid >= 0)
            {
                error = new SmsCodecError(SmsCodecErrorCode.InvalidSeptet,
                    $"payload octet {invalid} is 0x{payload[invalid]:X2}; GSM 7-bit septets are 0x00-0x7F");
                return false;
            }
            var septets = (headerLength > 0 ? SeptetPacking.HeaderSeptets(headerLength) : 0) + payload.Length;
            if (septets > SmsSegment.MaxUserDataSeptets)
            {
                error = new SmsCodecError(SmsCodecErrorCode.UserDataTooLong,
                    $"{septets} septets of user data; one SMS carries {SmsSegment.MaxUserDataSeptets}");
                return false;
            }
        }

        segment = new SmsSegment(encoding, shortMessage, headerLength, concatenation);
        error = null;
        return true;
    }
}
