using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Gateway.Domain.Sms;

/// <summary>
/// The user data header at the start of TP-UD / <c>short_message</c> (3GPP TS 23.040 §9.2.3.24):
/// UDHL, then information elements of IEI, IEDL and IEDL data octets.
/// </summary>
public static class UserDataHeader
{
    // TS 23.040 §9.2.3.24.3/4: application port addressing; the payload is data for an application, not text.
    private const byte ApplicationPort8Bit = 0x04;
    private const byte ApplicationPort16Bit = 0x05;
    // TS 23.040 §9.2.3.24.15/16: national language single/locking shift; the text is in another table.
    private const byte NationalLanguageSingleShift = 0x24;
    private const byte NationalLanguageLockingShift = 0x25;

    /// <summary>
    /// Writes the 8-bit-reference concatenation header (UDHL 05, IEI 00, IEDL 03, reference, total,
    /// sequence) and returns its length, <see cref="ConcatenationInfo.HeaderLength8Bit"/>.
    /// </summary>
    public static int WriteConcatenation8Bit(Span<byte> destination, byte reference, byte total, byte sequence)
    {
        destination[0] = ConcatenationInfo.HeaderLength8Bit - 1;
        destination[1] = ConcatenationInfo.Iei8Bit;
        destination[2] = 3;
        destination[3] = reference;
        destination[4] = total;
        destination[5] = sequence;
        return ConcatenationInfo.HeaderLength8Bit;
    }

    /// <summary>
    /// Reads the header at the start of <paramref name="data"/>. On success <paramref name="headerLength"/>
    /// is its length in octets, UDHL included, and <paramref name="concatenation"/> its concatenation IE
    /// if it has one. IEs other than concatenation, application ports and language shifts are skipped.
    /// </summary>
    public static bool TryRead(
        ReadOnlySpan<byte> data,
        out int headerLength,
        out ConcatenationInfo? concatenation,
        [NotNullWhen(false)] out SmsCodecError? error)
    {
        headerLength = 0;
        concatenation = null;
        if (data.IsEmpty)
        {
            error = Malformed("the user data header indicator is set but the user data is empty");
            return false;
        }
        var end = 1 + data[0];
        if (end > data.Length)
        {
            error = Malformed($"UDHL {data[0]} runs past the end of the {data.Length}-octet user data");
            return false;
        }

        var position = 1;
        while (position < end)
        {
            if (position + 2 > end)
            {
                error = Malformed($"an information element at octet {position} has no length octet");
                return false;
            }
            var iei = data[position];
            var length = data[position + 1];
            var body = position + 2;
            if (body + length > end)
            {
                error = Malformed($"information element 0x{iei:X2} of {length} octets runs past the end of the header");
                return false;
            }
            var element = data.Slice(body, length);
            switch (iei)
            {
                case ConcatenationInfo.Iei8Bit or ConcatenationInfo.Iei16Bit:
                    if (concatenation is not null)
                    {
                        error = Malformed("the header has more than one concatenation information element");
                        return false;
                    }
                    if (!TryReadConcatenation(iei, element, out var info, out error))
                        return false;
                    concatenation = info;
                    break;
                case ApplicationPort8Bit or ApplicationPort16Bit:
                    error = new SmsCodecError(SmsCodecErrorCode.UnsupportedUdh,
                        $"information element 0x{iei:X2} (application port addressing) marks data for an application; only text SMS is carried");
                    return false;
                case NationalLanguageSingleShift or NationalLanguageLockingShift:
                    error = new SmsCodecError(SmsCodecErrorCode.UnsupportedUdh,
                        $"information element 0x{iei:X2} (national language shift table) is not supported; the text would be misread");
                    return false;
            }
            position = body + length;
        }

        headerLength = end;
        error = null;
        return true;
    }

    private static bool TryReadConcatenation(
        byte iei, ReadOnlySpan<byte> element, out ConcatenationInfo info, [NotNullWhen(false)] out SmsCodecError? error)
    {
        info = default;
        var expectedLength = iei == ConcatenationInfo.Iei8Bit ? 3 : 4;
        if (element.Length != expectedLength)
        {
            error = Malformed($"concatenation information element 0x{iei:X2} has {element.Length} octets instead of {expectedLength}");
            return false;
        }
        var reference = iei == ConcatenationInfo.Iei8Bit ? element[0] : BinaryPrimitives.ReadUInt16BigEndian(element);
        var total = element[expectedLength - 2];
        var sequence = element[expectedLength - 1];
        if (total == 0)
        {
            error = new SmsCodecError(SmsCodecErrorCode.InvalidConcatenation, "the concatenation total is 0");
            return false;
        }
        if (sequence == 0 || sequence > total)
        {
            error = new SmsCodecError(SmsCodecErrorCode.InvalidConcatenation,
                $"the concatenation sequence number {sequence} is outside 1-{total}");
            return false;
        }
        info = new ConcatenationInfo(reference, total, sequence, iei == ConcatenationInfo.Iei16Bit);
        error = null;
        return true;
    }

    private static SmsCodecError Malformed(string message) => new(SmsCodecErrorCode.MalformedUdh, message);
}
