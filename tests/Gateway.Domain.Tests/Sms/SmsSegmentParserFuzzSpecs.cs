using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Gateway.Domain.Sms;

namespace Gateway.Domain.Tests.Sms;

/// <summary>
/// Fuzzing of the segment parser and the reassembler: whatever the network sends, the parser gives a
/// segment that keeps the codec's invariants or a codec error with a documented code, and never throws;
/// the reassembler accepts any parsed segment without throwing.
/// </summary>
public class SmsSegmentParserFuzzSpecs
{
    /// <summary>The codes the parser may give (too_many_segments belongs to the segmenter).</summary>
    private static readonly HashSet<string> ParserErrorCodes =
    [
        "malformed_udh", "invalid_concatenation", "unsupported_udh", "unsupported_data_coding",
        "truncated_payload", "invalid_septet", "user_data_too_long",
    ];

    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    // ---------------------------------------------------------------- inputs

    /// <summary>An SMPP <c>data_coding</c>, UDHI bit and <c>short_message</c>.</summary>
    public sealed record ShortMessageInput(byte DataCoding, bool Udhi, byte[] Data)
    {
        public override string ToString() => $"data_coding=0x{DataCoding:X2} udhi={Udhi} short_message={Convert.ToHexString(Data)}";
    }

    /// <summary>An air-interface TP-DCS, TP-UDHI, TP-UDL and TP-UD.</summary>
    public sealed record UserDataInput(byte Dcs, bool Udhi, int Udl, byte[] Data)
    {
        public override string ToString() => $"TP-DCS=0x{Dcs:X2} TP-UDHI={Udhi} TP-UDL={Udl} TP-UD={Convert.ToHexString(Data)}";
    }

    // The structured parts are drawn from a seeded Random: FsCheck picks the seed and prints the input it gives.
    private static readonly Gen<ShortMessageInput> ShortMessages =
        Gen.Choose(0, int.MaxValue).Select(seed => NewShortMessage(new Random(seed), reassemblyBias: false));

    private static readonly Gen<UserDataInput> UserDatas =
        Gen.Choose(0, int.MaxValue).Select(seed => NewUserData(new Random(seed), reassemblyBias: false));

    private static ShortMessageInput NewShortMessage(Random rng, bool reassemblyBias)
    {
        var dataCoding = rng.Next(10) switch { < 4 => DataCodings.Gsm7, < 8 => DataCodings.Ucs2, _ => (byte)rng.Next(256) };
        if (!reassemblyBias && rng.Next(5) == 0)
            return new ShortMessageInput(dataCoding, rng.Next(2) == 0, RandomBytes(rng, rng.Next(0, 301)));

        var udhi = reassemblyBias || rng.Next(7) != 0;
        var data = new List<byte>();
        if (udhi)
            data.AddRange(UdhLike(rng, reassemblyBias));
        var payloadLength = rng.Next(4) == 0 ? rng.Next(0, Math.Max(1, 301 - data.Count)) : rng.Next(0, 170);
        if (dataCoding == DataCodings.Ucs2 && rng.Next(4) != 0)
            payloadLength &= ~1;
        data.AddRange(Payload(rng, payloadLength, reassemblyBias));
        if (!reassemblyBias && rng.Next(10) == 0 && data.Count > 0)
        {
            var cut = rng.Next(data.Count);
            data.RemoveRange(cut, data.Count - cut);
        }
        return new ShortMessageInput(dataCoding, udhi, data.Take(300).ToArray());
    }

    private static UserDataInput NewUserData(Random rng, bool reassemblyBias)
    {
        byte[] textDcs = [0x00, 0x08, 0x10, 0x11, 0x18, 0x19, 0x40, 0x48, 0xF0, 0xF1, 0xF3];
        byte[] otherDcs = [0x04, 0x0C, 0x14, 0x20, 0x24, 0x28, 0x80, 0xC0, 0xD8, 0xE8, 0xF4, 0xF8];
        var dcs = rng.Next(10) switch
        {
            < 3 => DataCodings.Gsm7,
            < 6 => DataCodings.Ucs2,
            < 8 => textDcs[rng.Next(textDcs.Length)],
            < 9 => otherDcs[rng.Next(otherDcs.Length)],
            _ => (byte)rng.Next(256),
        };
        var gsm = DataCodings.TryGetTpDcsEncoding(dcs, out var encoding) ? encoding == SmsEncoding.Gsm7 : rng.Next(2) == 0;
        var udhi = reassemblyBias || rng.Next(5) != 0;

        if (!reassemblyBias && rng.Next(5) == 0)
        {
            // Anything at all: a TP-UDL from -5 to 200 and TP-UD of any length.
            return new UserDataInput(dcs, udhi, rng.Next(-5, 201), RandomBytes(rng, rng.Next(0, 301)));
        }

        var header = udhi ? UdhLike(rng, reassemblyBias) : [];
        var udl = (reassemblyBias ? 9 : rng.Next(10)) switch
        {
            0 => rng.Next(-5, 201),
            // TP-UDL about as long as the header: the header alone, or a header longer than TP-UDL says.
            1 or 2 => Math.Max(0, (gsm ? SeptetPacking.HeaderSeptets(header.Count) : header.Count) + rng.Next(-2, 3)),
            _ => gsm ? rng.Next(0, 161) : rng.Next(0, 141),
        };
        var octets = gsm ? SeptetPacking.PackedLength(Math.Max(0, udl)) : Math.Max(0, udl);
        if (!reassemblyBias && rng.Next(8) == 0)
            octets = Math.Max(0, octets + rng.Next(-2, 3));
        var data = new List<byte>(octets);
        data.AddRange(header);
        data.AddRange(RandomBytes(rng, Math.Max(0, octets - data.Count)));
        return new UserDataInput(dcs, udhi, udl, data.Take(octets).ToArray());
    }

    /// <summary>Something like a user data header: UDHL and information elements, with lengths right most of the time.</summary>
    private static List<byte> UdhLike(Random rng, bool reassemblyBias)
    {
        byte[] ieis = [0x00, 0x00, 0x00, 0x08, 0x08, 0x04, 0x05, 0x24, 0x25, 0x01, 0x0A, 0x70];
        var elements = new List<byte>();
        var count = reassemblyBias ? 1 : rng.Next(0, 4);
        for (var i = 0; i < count; i++)
        {
            var iei = reassemblyBias ? (rng.Next(4) == 0 ? (byte)0x08 : (byte)0x00)
                : rng.Next(6) == 0 ? (byte)rng.Next(256) : ieis[rng.Next(ieis.Length)];
            var correct = iei switch { 0x00 => 3, 0x08 => 4, 0x04 => 2, 0x05 => 4, 0x24 or 0x25 => 1, _ => rng.Next(0, 8) };
            var declared = Near(rng, correct, reassemblyBias ? 50 : 5);
            var body = new List<byte>();
            if (iei is 0x00 or 0x08)
            {
                if (iei == 0x08)
                    body.Add((byte)(rng.Next(3) == 0 ? rng.Next(256) : 0));
                var total = reassemblyBias ? rng.Next(1, 4) : rng.Next(0, 5);
                body.Add((byte)rng.Next(0, 3));
                body.Add((byte)total);
                body.Add((byte)(reassemblyBias ? rng.Next(1, total + 1) : rng.Next(0, 6)));
            }
            else
            {
                body.AddRange(RandomBytes(rng, correct));
            }
            var actual = Near(rng, declared, reassemblyBias ? 50 : 6);
            while (body.Count < actual)
                body.Add((byte)rng.Next(256));
            elements.Add(iei);
            elements.Add((byte)declared);
            elements.AddRange(body.Take(actual));
        }
        var udhl = rng.Next(reassemblyBias ? 50 : 6) switch
        {
            0 => Math.Clamp(elements.Count + rng.Next(-3, 4), 0, 255),
            1 when !reassemblyBias => rng.Next(256),
            _ => elements.Count,
        };
        return [(byte)udhl, .. elements];
    }

    private static int Near(Random rng, int correct, int oneIn) =>
        rng.Next(oneIn) == 0 ? Math.Max(0, correct + rng.Next(-2, 3)) : correct;

    private static byte[] Payload(Random rng, int length, bool reassemblyBias)
    {
        var septetsOnly = reassemblyBias || rng.Next(5) != 0;
        var payload = new byte[length];
        for (var i = 0; i < length; i++)
            payload[i] = (byte)rng.Next(septetsOnly ? 0x80 : 0x100);
        return payload;
    }

    private static byte[] RandomBytes(Random rng, int length)
    {
        var bytes = new byte[length];
        rng.NextBytes(bytes);
        return bytes;
    }

    // ---------------------------------------------------------------- properties

    [Property(MaxTest = 3000)]
    public Property TryParseShortMessage_should_give_a_sound_segment_or_a_codec_error_and_never_throw() =>
        Prop.ForAll(ShortMessages.ToArbitrary(), input => CheckShortMessage(input));

    [Property(MaxTest = 3000)]
    public Property TryParseUserData_should_give_a_sound_segment_or_a_codec_error_and_never_throw() =>
        Prop.ForAll(UserDatas.ToArbitrary(), input => CheckUserData(input));

    [Property(MaxTest = 300)]
    public Property The_reassembler_should_take_any_parsed_segments_without_throwing() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            var reassembler = new SmsReassembler(Timeout);
            var time = T0;
            var deliveries = rng.Next(1, 81);
            for (var i = 0; i < deliveries; i++)
            {
                var segment = rng.Next(3) == 0
                    ? CheckUserData(NewUserData(rng, reassemblyBias: rng.Next(4) != 0))
                    : CheckShortMessage(NewShortMessage(rng, reassemblyBias: rng.Next(4) != 0));
                time = time.AddSeconds(rng.Next(0, 90));
                if (segment is { } parsed)
                    CheckResult(reassembler.Add(rng.Next(2) == 0 ? "+15550001111" : "ACME", parsed, time), parsed);
                if (rng.Next(10) == 0)
                    CheckExpired(reassembler.Expire(time), time);
            }

            var restored = SmsReassembler.FromSnapshot(reassembler.ToSnapshot(), Timeout);
            Assert.Equal(reassembler.PendingCount, restored.PendingCount);
            var pending = restored.PendingCount;
            var expired = restored.Expire(time + Timeout + Timeout);
            Assert.Equal(pending, expired.Count);
            CheckExpired(expired, time + Timeout + Timeout);
            Assert.Equal(0, restored.PendingCount);
            // Expired messages are remembered for one more timeout, to recognise repeated parts.
            Assert.Equal(pending == 0 ? null : time + Timeout + Timeout + Timeout, restored.NextDeadline);
        });

    // ---------------------------------------------------------------- every single-byte mutation

    [Theory]
    [InlineData(SmsEncoding.Gsm7)]
    [InlineData(SmsEncoding.Ucs2)]
    public void Every_single_byte_mutation_of_a_valid_three_segment_message_should_give_a_segment_or_a_codec_error(SmsEncoding encoding)
    {
        var text = encoding == SmsEncoding.Gsm7
            ? string.Concat(Enumerable.Repeat("Meet at 10:30 {room B} ~ bring €20 [cash] | ok? ", 8))
            : string.Concat(Enumerable.Repeat("Hi 😀 çava? 👩‍👩‍👧 中文 ", 8));
        Assert.True(SmsSegmenter.TrySegment(text, 0x5A, out var segmented, out var error), error?.ToString());
        Assert.Equal(3, segmented.Count);
        Assert.Equal(encoding, segmented.Encoding);

        var reassembler = new SmsReassembler(Timeout);
        var time = T0;
        int parsed = 0, refused = 0;
        void Count(SmsSegment? segment)
        {
            if (segment is { } s)
            {
                parsed++;
                CheckResult(reassembler.Add("+15550001111", s, time = time.AddMilliseconds(10)), s);
            }
            else
            {
                refused++;
            }
        }

        foreach (var segment in segmented.Segments)
        {
            var shortMessage = segment.ShortMessage.ToArray();
            var userData = segment.ToUserData();
            for (var position = 0; position < shortMessage.Length; position++)
            {
                for (var value = 0; value < 256; value++)
                {
                    var mutated = (byte[])shortMessage.Clone();
                    mutated[position] = (byte)value;
                    Count(CheckShortMessage(new ShortMessageInput(segment.DataCoding, true, mutated)));
                }
            }
            for (var position = 0; position < userData.Length; position++)
            {
                for (var value = 0; value < 256; value++)
                {
                    var mutated = (byte[])userData.Clone();
                    mutated[position] = (byte)value;
                    Count(CheckUserData(new UserDataInput(segment.DataCoding, true, segment.UserDataLength, mutated)));
                }
            }
            for (var value = 0; value < 256; value++)
            {
                Count(CheckShortMessage(new ShortMessageInput((byte)value, true, shortMessage)));
                Count(CheckUserData(new UserDataInput((byte)value, true, segment.UserDataLength, userData)));
            }
            for (var udl = -5; udl <= 200; udl++)
                Count(CheckUserData(new UserDataInput(segment.DataCoding, true, udl, userData)));
            Count(CheckShortMessage(new ShortMessageInput(segment.DataCoding, false, shortMessage)));
            Count(CheckUserData(new UserDataInput(segment.DataCoding, false, segment.UserDataLength, userData)));
        }

        CheckExpired(reassembler.Expire(time + Timeout), time + Timeout);
        Assert.True(parsed > 0 && refused > 0, $"{parsed} parsed, {refused} refused");
    }

    // ---------------------------------------------------------------- checks

    /// <summary>Parses the SMPP form; returns the segment after checking it, or null after checking the error.</summary>
    private static SmsSegment? CheckShortMessage(ShortMessageInput input)
    {
        bool ok;
        SmsSegment segment;
        SmsCodecError? error;
        try
        {
            ok = SmsSegmentParser.TryParseShortMessage(input.DataCoding, input.Udhi, input.Data, out segment, out error);
        }
        catch (Exception exception)
        {
            throw new InvalidOperationException($"TryParseShortMessage threw for {input}", exception);
        }

        if (!ok)
        {
            CheckError(error, input);
            if (!DataCodings.TryGetSmppEncoding(input.DataCoding, out _))
                Assert.Equal("unsupported_data_coding", error!.Code);
            return null;
        }

        Assert.Null(error);
        Assert.Equal(input.DataCoding, segment.DataCoding);
        Assert.Equal(input.Udhi, segment.HasUserDataHeader);
        That(segment.ShortMessage.Span.SequenceEqual(input.Data), () => $"the segment of {input} is not its short_message");
        CheckSegment(segment, input);

        // The air form of the segment reads back as the same segment.
        var userData = segment.ToUserData();
        That(SmsSegmentParser.TryParseUserData(segment.DataCoding, segment.HasUserDataHeader, segment.UserDataLength, userData,
            out var air, out var airError), () => $"the air form {Convert.ToHexString(userData)} of {input} was refused: {airError}");
        AssertSameSegment(segment, air, input);
        return segment;
    }

    /// <summary>Parses the air form; returns the segment after checking it, or null after checking the error.</summary>
    private static SmsSegment? CheckUserData(UserDataInput input)
    {
        bool ok;
        SmsSegment segment;
        SmsCodecError? error;
        try
        {
            ok = SmsSegmentParser.TryParseUserData(input.Dcs, input.Udhi, input.Udl, input.Data, out segment, out error);
        }
        catch (Exception exception)
        {
            throw new InvalidOperationException($"TryParseUserData threw for {input}", exception);
        }

        var text = DataCodings.TryGetTpDcsEncoding(input.Dcs, out var encoding);
        if (!ok)
        {
            CheckError(error, input);
            if (!text)
                Assert.Equal("unsupported_data_coding", error!.Code);
            return null;
        }

        Assert.Null(error);
        That(text, () => $"TP-DCS 0x{input.Dcs:X2} is not text, yet {input} was accepted");
        Assert.Equal(encoding, segment.Encoding);
        Assert.Equal(input.Udhi, segment.HasUserDataHeader);
        Assert.Equal(input.Udl, segment.UserDataLength);
        Assert.Equal(input.Data.Length, segment.UserDataOctets);
        CheckSegment(segment, input);

        // Packing the segment again gives the same TP-UD, apart from the fill bits and the padding of the last octet.
        var userData = segment.ToUserData();
        if (encoding == SmsEncoding.Ucs2)
        {
            Assert.Equal(input.Data, userData);
        }
        else
        {
            var headerBits = 8 * segment.HeaderLength;
            var textStart = segment.HasUserDataHeader ? 7 * SeptetPacking.HeaderSeptets(segment.HeaderLength) : 0;
            var textEnd = 7 * input.Udl;
            for (var bit = 0; bit < 8 * userData.Length; bit++)
            {
                if ((bit < headerBits || (bit >= textStart && bit < textEnd)) &&
                    (userData[bit / 8] >> (bit % 8) & 1) != (input.Data[bit / 8] >> (bit % 8) & 1))
                {
                    Assert.Fail($"bit {bit} of {input} changed when the segment was packed again: {Convert.ToHexString(userData)}");
                }
            }
        }

        // The SMPP form of the segment reads back as the same segment.
        That(SmsSegmentParser.TryParseShortMessage(segment.DataCoding, segment.HasUserDataHeader, segment.ShortMessage,
            out var smpp, out var smppError), () => $"the SMPP form of {input} was refused: {smppError}");
        AssertSameSegment(segment, smpp, input);
        return segment;
    }

    /// <summary>Assert.True with a message built only on failure: the checks run a few hundred thousand times.</summary>
    private static void That(bool condition, Func<string> message)
    {
        if (!condition)
            Assert.Fail(message());
    }

    private static void CheckError(SmsCodecError? error, object input)
    {
        Assert.NotNull(error);
        That(ParserErrorCodes.Contains(error.Code), () => $"{input} gave the undocumented code {error.Code}");
        That(!string.IsNullOrWhiteSpace(error.Message), () => $"{input} gave an error without a message");
    }

    private static void CheckSegment(SmsSegment segment, object input)
    {
        Assert.InRange(segment.HeaderLength, 0, segment.ShortMessage.Length);
        var decoded = segment.DecodeText();
        Assert.Equal(segment.TextLength, decoded.Length);
        var userData = segment.ToUserData();
        Assert.Equal(segment.UserDataOctets, userData.Length);
        That(userData.Length <= SmsSegment.MaxUserDataOctets, () => $"{input}: {userData.Length} octets of TP-UD");
        var payload = segment.Payload.Span;
        if (segment.Encoding == SmsEncoding.Gsm7)
        {
            Assert.InRange(segment.UserDataLength, 0, SmsSegment.MaxUserDataSeptets);
            That(payload.IndexOfAnyExceptInRange((byte)0, Gsm7Alphabet.MaxSeptet) < 0, () => $"{input}: a payload octet above 0x7F");
        }
        else
        {
            That(payload.Length % 2 == 0, () => $"{input}: an odd UCS-2 payload");
        }
        if (segment.Concatenation is { } concatenation)
        {
            Assert.True(segment.HasUserDataHeader);
            Assert.InRange(concatenation.Total, (byte)1, (byte)255);
            Assert.InRange(concatenation.Sequence, (byte)1, concatenation.Total);
        }
    }

    private static void AssertSameSegment(SmsSegment expected, SmsSegment actual, object input)
    {
        That(expected.Encoding == actual.Encoding && expected.HeaderLength == actual.HeaderLength &&
            expected.Concatenation == actual.Concatenation && expected.ShortMessage.Span.SequenceEqual(actual.ShortMessage.Span),
            () => $"{input}: {expected} read back as {actual}");
    }

    private static void CheckResult(ReassemblyResult result, SmsSegment segment)
    {
        if (result.Status != ReassemblyStatus.Completed)
        {
            Assert.Null(result.Message);
            return;
        }
        var message = Assert.IsType<ReassembledSms>(result.Message);
        Assert.True(message.IsComplete);
        Assert.Equal(segment.Concatenation?.Total ?? 1, message.Segments);
        if (message.Segments == 1)
            Assert.Equal(segment.DecodeText(), message.Text);
    }

    private static void CheckExpired(IReadOnlyList<ReassembledSms> expired, DateTimeOffset now)
    {
        foreach (var message in expired)
        {
            Assert.False(message.IsComplete);
            Assert.All(message.MissingSegments, sequence => Assert.InRange(sequence, 1, message.Segments));
            Assert.Equal(message.MissingSegments.Distinct().Order(), message.MissingSegments);
            Assert.Contains(SmsReassembler.GapMarker, message.Text, StringComparison.Ordinal);
            Assert.True(message.FirstReceivedAt + Timeout <= now);
        }
    }
}
