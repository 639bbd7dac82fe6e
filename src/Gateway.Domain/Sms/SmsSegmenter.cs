using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Gateway.Domain.Sms;

/// <summary>How a text will be sent: its encoding, length in that encoding's units and segment count.</summary>
/// <param name="Encoding">GSM 7-bit when every character is in the alphabet, UCS-2 otherwise.</param>
/// <param name="Units">Septets (GSM 7-bit, an extension character counting two) or UTF-16 code units.</param>
/// <param name="Segments">How many segments it takes.</param>
/// <param name="PayloadOctets">The <c>short_message</c> octets of all segments together, headers included.</param>
public readonly record struct SmsTextPlan(SmsEncoding Encoding, int Units, int Segments, int PayloadOctets);

/// <summary>The segments of one text, in order, sharing one buffer.</summary>
public sealed class SegmentedSms
{
    internal SegmentedSms(SmsEncoding encoding, SmsSegment[] segments)
    {
        Encoding = encoding;
        Segments = segments;
    }

    public SmsEncoding Encoding { get; }

    public IReadOnlyList<SmsSegment> Segments { get; }

    public int Count => Segments.Count;

    public SmsSegment this[int index] => Segments[index];
}

/// <summary>
/// Splits a text into the segments a handset reassembles (3GPP TS 23.040 §9.2.3.24.1, TS 23.038 §6).
/// One SMS holds 160 septets or 70 UTF-16 units; a longer text is split into segments of 153 septets
/// or 67 units, each behind a 6-octet concatenation header (8-bit reference). An escape pair
/// (extension character) or a surrogate pair is never split: the segment closes one unit early instead.
/// </summary>
public static class SmsSegmenter
{
    public const int SingleGsm7Septets = 160;
    public const int SegmentGsm7Septets = 153;
    public const int SingleUcs2Units = 70;
    public const int SegmentUcs2Units = 67;

    /// <summary>Chooses the encoding and counts the segments, without writing anything.</summary>
    public static SmsTextPlan Plan(ReadOnlySpan<char> text)
    {
        var septets = Gsm7Alphabet.CountSeptets(text);
        if (septets >= 0)
        {
            if (septets <= SingleGsm7Septets)
                return new SmsTextPlan(SmsEncoding.Gsm7, septets, 1, septets);
            var segments = CountSegments(text, SmsEncoding.Gsm7);
            return new SmsTextPlan(SmsEncoding.Gsm7, septets, segments, septets + segments * ConcatenationInfo.HeaderLength8Bit);
        }
        if (text.Length <= SingleUcs2Units)
            return new SmsTextPlan(SmsEncoding.Ucs2, text.Length, 1, text.Length * 2);
        var ucs2Segments = CountSegments(text, SmsEncoding.Ucs2);
        return new SmsTextPlan(SmsEncoding.Ucs2, text.Length, ucs2Segments, text.Length * 2 + ucs2Segments * ConcatenationInfo.HeaderLength8Bit);
    }

    /// <summary>
    /// Segments <paramref name="text"/>. <paramref name="reference"/> goes into every segment's
    /// concatenation header (use <see cref="ConcatenationReferences"/> to rotate it per destination);
    /// a text of one segment has no header. Fails only for a text of more than 255 segments.
    /// </summary>
    public static bool TrySegment(
        ReadOnlySpan<char> text,
        byte reference,
        [NotNullWhen(true)] out SegmentedSms? segmented,
        [NotNullWhen(false)] out SmsCodecError? error)
    {
        var plan = Plan(text);
        if (plan.Segments > ConcatenationInfo.MaxSegments)
        {
            segmented = null;
            error = new SmsCodecError(SmsCodecErrorCode.TooManySegments,
                $"the text needs {plan.Segments} segments; a concatenated SMS has at most {ConcatenationInfo.MaxSegments}");
            return false;
        }

        var buffer = new byte[plan.PayloadOctets];
        var segments = new SmsSegment[plan.Segments];
        if (plan.Segments == 1)
        {
            if (plan.Encoding == SmsEncoding.Gsm7)
                Gsm7Alphabet.Encode(text, buffer);
            else
                WriteUtf16BigEndian(text, buffer);
            segments[0] = new SmsSegment(plan.Encoding, buffer, 0, null);
        }
        else
        {
            var total = (byte)plan.Segments;
            var offset = 0;
            var remaining = text;
            for (var index = 0; index < segments.Length; index++)
            {
                var take = TakeForSegment(remaining, plan.Encoding);
                var chunk = remaining[..take];
                remaining = remaining[take..];
                var sequence = (byte)(index + 1);
                var destination = buffer.AsSpan(offset);
                var header = UserDataHeader.WriteConcatenation8Bit(destination, reference, total, sequence);
                var payload = plan.Encoding == SmsEncoding.Gsm7
                    ? Gsm7Alphabet.Encode(chunk, destination[header..])
                    : WriteUtf16BigEndian(chunk, destination[header..]);
                segments[index] = new SmsSegment(plan.Encoding, buffer.AsMemory(offset, header + payload), header,
                    new ConcatenationInfo(reference, total, sequence));
                offset += header + payload;
            }
        }

        segmented = new SegmentedSms(plan.Encoding, segments);
        error = null;
        return true;
    }

    private static int CountSegments(ReadOnlySpan<char> text, SmsEncoding encoding)
    {
        var segments = 0;
        while (!text.IsEmpty)
        {
            text = text[TakeForSegment(text, encoding)..];
            segments++;
        }
        return segments;
    }

    /// <summary>How many characters of <paramref name="text"/> go into the next segment of a concatenated message.</summary>
    private static int TakeForSegment(ReadOnlySpan<char> text, SmsEncoding encoding)
    {
        if (encoding == SmsEncoding.Ucs2)
        {
            if (text.Length <= SegmentUcs2Units)
                return text.Length;
            // A high surrogate as the last unit would leave its low surrogate for the next segment.
            return char.IsHighSurrogate(text[SegmentUcs2Units - 1]) && char.IsLowSurrogate(text[SegmentUcs2Units])
                ? SegmentUcs2Units - 1
                : SegmentUcs2Units;
        }

        var septets = 0;
        for (var i = 0; i < text.Length; i++)
        {
            septets += Gsm7Alphabet.SeptetCost(text[i]);
            if (septets > SegmentGsm7Septets)
                return i; // an extension character that does not fit whole moves to the next segment
        }
        return text.Length;
    }

    private static int WriteUtf16BigEndian(ReadOnlySpan<char> text, Span<byte> destination)
    {
        for (var i = 0; i < text.Length; i++)
            BinaryPrimitives.WriteUInt16BigEndian(destination[(2 * i)..], text[i]);
        return text.Length * 2;
    }
}
