using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Gateway.Domain.Sms;

namespace Gateway.Domain.Tests.Sms;

/// <summary>
/// Properties of the SMS codec over random texts: segmenting, both wire forms (SMPP <c>short_message</c>
/// and the packed air-interface TP-UD), reassembly in any order with duplicates, snapshots, and septet packing.
/// </summary>
public class SmsCodecPropertySpecs
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    // ---------------------------------------------------------------- generators

    private static readonly string[] GsmDefault =
        Gsm7Alphabet.Characters().Where(c => Gsm7Alphabet.SeptetCost(c) == 1).Select(c => c.ToString()).ToArray();

    private static readonly string[] GsmExtension = ["^", "{", "}", "\\", "[", "~", "]", "|", "€", "\f"];

    // Printable ASCII: everything but ` is in the GSM alphabet (some of it through the extension table).
    private static readonly string[] Ascii = Enumerable.Range(0x20, 0x5F).Select(c => ((char)c).ToString()).ToArray();

    private static readonly string[] Latin1NotGsm = ["ç", "ê", "â", "ë", "ï", "ô", "û", "í", "ó", "ú", "`"];

    private static readonly string[] BmpNotGsm = ["中", "文", "日本", "한", "—", "…", "Ж", "ع"];

    private static readonly string[] Astral =
    [
        "😀", "🇺🇸", "🇫🇷", "👩‍👩‍👧", "👍🏽", "𝄞", "\U0001F4A9", "🧑‍💻", "\U00010348", "\U0010FFFD",
    ];

    private enum TextKind { Gsm, GsmExtensionHeavy, MostlyGsm, Mixed, EmojiHeavy }

    private static Gen<string> Tokens(TextKind kind) => kind switch
    {
        TextKind.Gsm => Gen.Frequency((6, Gen.Elements(GsmDefault)), (1, Gen.Elements(GsmExtension))),
        TextKind.GsmExtensionHeavy => Gen.Frequency((2, Gen.Elements(GsmDefault)), (1, Gen.Elements(GsmExtension))),
        TextKind.MostlyGsm => Gen.Frequency(
            (200, Gen.Elements(GsmDefault)), (60, Gen.Elements(GsmExtension)),
            (1, Gen.Elements(Latin1NotGsm)), (1, Gen.Elements(Astral))),
        TextKind.Mixed => Gen.Frequency(
            (4, Gen.Elements(GsmDefault)), (2, Gen.Elements(GsmExtension)), (3, Gen.Elements(Ascii)),
            (1, Gen.Elements(Latin1NotGsm)), (1, Gen.Elements(BmpNotGsm)), (2, Gen.Elements(Astral))),
        _ => Gen.Frequency((1, Gen.Elements(Ascii)), (1, Gen.Elements(BmpNotGsm)), (5, Gen.Elements(Astral))),
    };

    // Segment boundaries: one SMS (160 septets / 70 units) and multiples of 153 septets / 67 units.
    private static readonly int[] Boundaries = [0, 1, 67, 70, 134, 140, 153, 160, 201, 268, 306, 335, 459, 612, 765, 1071, 1200];

    private static readonly Gen<int> Lengths = Gen.Frequency(
        (4, Gen.Choose(0, 1200)),
        (3, from boundary in Gen.Elements(Boundaries)
            from delta in Gen.Choose(-3, 3)
            select Math.Max(0, boundary + delta)),
        (2, Gen.Choose(0, 200)));

    private static readonly Gen<string> Texts =
        from kind in Gen.Elements(Enum.GetValues<TextKind>())
        from length in Lengths
        from tokens in Tokens(kind).ArrayOf(length)
        select Join(tokens, length);

    private static string Join(string[] tokens, int length)
    {
        var text = new StringBuilder(length + 8);
        foreach (var token in tokens)
        {
            if (text.Length >= length)
                break;
            text.Append(token);
        }
        return text.ToString();
    }

    private static readonly string[] Originators = ["+15550001111", "+447700900123", "ACME"];

    private static readonly Gen<SmsCase> Cases =
        from text in Texts
        from reference in Gen.Choose(0, 255)
        from originator in Gen.Elements(Originators)
        from seed in Gen.Choose(0, int.MaxValue)
        select new SmsCase(text, (byte)reference, originator, seed);

    /// <summary>A text with the reference to segment it with, the sender, and a seed for shuffling and duplicating.</summary>
    public sealed record SmsCase(string Text, byte Reference, string Originator, int Seed)
    {
        public override string ToString() =>
            $"SmsCase(Length={Text.Length}, Reference={Reference}, Originator={Originator}, Seed={Seed}, Text=\"{Escape(Text)}\")";
    }

    internal static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is >= ' ' and <= '~' && c != '"' && c != '\\')
                builder.Append(c);
            else
                builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
        }
        return builder.ToString();
    }

    // ---------------------------------------------------------------- 1. round trip through both wire forms

    [Property(MaxTest = 400)]
    public Property Segments_in_either_wire_form_shuffled_and_duplicated_should_reassemble_to_the_original_text() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var segmented = Segment(c.Text, c.Reference);
            var expectedEncoding = Gsm7Alphabet.CanEncode(c.Text) ? SmsEncoding.Gsm7 : SmsEncoding.Ucs2;
            Assert.Equal(expectedEncoding, segmented.Encoding);

            var random = new Random(c.Seed);
            var deliveries = new List<SmsSegment>();
            foreach (var segment in segmented.Segments)
            {
                Assert.Equal(expectedEncoding, segment.Encoding);
                var smpp = ParseShortMessage(segment);
                var air = ParseUserData(segment);
                AssertSameSegment(segment, smpp);
                AssertSameSegment(segment, air);
                deliveries.Add(random.Next(2) == 0 ? smpp : air);
                // A single SMS has no reference to recognise a repeat by: only concatenated parts are duplicated.
                if (segmented.Count > 1 && random.Next(3) == 0)
                {
                    for (var d = random.Next(1, 3); d > 0; d--)
                        deliveries.Add(random.Next(2) == 0 ? smpp : air);
                }
            }
            Shuffle(deliveries, random);

            var reassembler = new SmsReassembler(Timeout);
            var seen = new HashSet<int>();
            var completed = new List<ReassembledSms>();
            var time = T0;
            foreach (var delivery in deliveries)
            {
                var result = reassembler.Add(c.Originator, delivery, time);
                time = time.AddSeconds(1);
                var firstOfItsSequence = seen.Add(delivery.Concatenation?.Sequence ?? 1);
                if (!firstOfItsSequence)
                {
                    Assert.Equal(ReassemblyStatus.Duplicate, result.Status);
                    Assert.Null(result.Message);
                }
                else if (seen.Count < segmented.Count)
                {
                    Assert.Equal(ReassemblyStatus.Pending, result.Status);
                    Assert.Null(result.Message);
                }
                else
                {
                    Assert.Equal(ReassemblyStatus.Completed, result.Status);
                    completed.Add(Assert.IsType<ReassembledSms>(result.Message));
                }
            }

            var message = Assert.Single(completed);
            Assert.Equal(c.Text, message.Text);
            Assert.True(message.IsComplete);
            Assert.Empty(message.MissingSegments);
            Assert.Equal(segmented.Count, message.Segments);
            Assert.Equal(expectedEncoding, message.Encoding);
            Assert.Equal(c.Originator, message.Originator);
            Assert.Equal(0, reassembler.PendingCount);
        });

    // ---------------------------------------------------------------- 2. segment invariants

    [Property(MaxTest = 400)]
    public Property Every_segment_should_fit_one_sms_carry_the_right_header_and_be_filled_without_splitting_a_character() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var text = c.Text;
            var segmented = Segment(text, c.Reference);
            var count = segmented.Count;
            var position = 0;
            for (var i = 0; i < count; i++)
            {
                var segment = segmented[i];
                Assert.True(segment.UserDataOctets <= SmsSegment.MaxUserDataOctets, $"segment {i + 1}: {segment.UserDataOctets} octets");
                Assert.Equal(segment.UserDataOctets, segment.ToUserData().Length);
                if (segment.Encoding == SmsEncoding.Gsm7)
                    Assert.True(segment.UserDataLength <= SmsSegment.MaxUserDataSeptets, $"segment {i + 1}: {segment.UserDataLength} septets");

                if (count == 1)
                {
                    Assert.False(segment.HasUserDataHeader);
                    Assert.Equal(0, segment.HeaderLength);
                    Assert.Null(segment.Concatenation);
                }
                else
                {
                    var sequence = (byte)(i + 1);
                    Assert.Equal(ConcatenationInfo.HeaderLength8Bit, segment.HeaderLength);
                    Assert.Equal(new byte[] { 0x05, 0x00, 0x03, c.Reference, (byte)count, sequence }, segment.UserDataHeader.ToArray());
                    Assert.Equal(new ConcatenationInfo(c.Reference, (byte)count, sequence), segment.Concatenation);
                }

                // Each segment decodes on its own to its piece of the text: no escape or surrogate pair is cut.
                var piece = segment.DecodeText();
                Assert.Equal(segment.TextLength, piece.Length);
                Assert.True(string.CompareOrdinal(text, position, piece, 0, piece.Length) == 0 && position + piece.Length <= text.Length,
                    $"segment {i + 1} decodes to \"{Escape(piece)}\", which is not the text at {position}");
                position += piece.Length;

                var payload = segment.Payload.Span;
                if (segment.Encoding == SmsEncoding.Gsm7)
                {
                    Assert.True(payload.IsEmpty || payload[^1] != Gsm7Alphabet.Escape, $"segment {i + 1} ends in an escape");
                }
                else if (!payload.IsEmpty)
                {
                    var last = (char)(payload[^2] << 8 | payload[^1]);
                    Assert.False(char.IsHighSurrogate(last) && position < text.Length && char.IsLowSurrogate(text[position]),
                        $"segment {i + 1} ends in the high half of a surrogate pair");
                }

                if (i < count - 1)
                {
                    // No segment but the last could have taken the next character (an escape pair or a surrogate pair whole).
                    var capacity = segment.Encoding == SmsEncoding.Gsm7 ? SmsSegmenter.SegmentGsm7Septets : SmsSegmenter.SegmentUcs2Units;
                    var next = segment.Encoding == SmsEncoding.Gsm7
                        ? Gsm7Alphabet.SeptetCost(text[position])
                        : char.IsHighSurrogate(text[position]) && position + 1 < text.Length && char.IsLowSurrogate(text[position + 1]) ? 2 : 1;
                    Assert.True(segment.TextUnits + next > capacity,
                        $"segment {i + 1} of {count} has {segment.TextUnits} units and room for the next character ({next})");
                }
            }
            Assert.Equal(text.Length, position);
        });

    // ---------------------------------------------------------------- 3. segment count

    [Property(MaxTest = 400)]
    public Property The_segment_count_should_follow_the_160_70_153_67_rules_and_match_the_plan() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var text = c.Text;
            var plan = SmsSegmenter.Plan(text);
            var segmented = Segment(text, c.Reference);
            var count = segmented.Count;

            Assert.Equal(plan.Segments, count);
            Assert.Equal(plan.Encoding, segmented.Encoding);
            Assert.Equal(segmented.Segments.Sum(s => s.ShortMessage.Length), plan.PayloadOctets);
            var gsm = plan.Encoding == SmsEncoding.Gsm7;
            var units = gsm ? Gsm7Alphabet.CountSeptets(text) : text.Length;
            Assert.Equal(units, plan.Units);
            Assert.Equal(units, segmented.Segments.Sum(s => s.TextUnits));

            var single = gsm ? SmsSegmenter.SingleGsm7Septets : SmsSegmenter.SingleUcs2Units;
            var perSegment = gsm ? SmsSegmenter.SegmentGsm7Septets : SmsSegmenter.SegmentUcs2Units;
            if (units <= single)
            {
                Assert.Equal(1, count);
                return;
            }
            var minimum = (units + perSegment - 1) / perSegment;
            var adjustments = segmented.Segments.Take(count - 1).Count(s => s.TextUnits < perSegment);
            Assert.All(segmented.Segments.Take(count - 1), s => Assert.InRange(s.TextUnits, perSegment - 1, perSegment));
            Assert.InRange(count, minimum, minimum + adjustments);
        });

    [Fact]
    public void A_text_of_more_than_255_segments_should_be_refused_with_too_many_segments()
    {
        var longest = new string('a', 255 * SmsSegmenter.SegmentGsm7Septets);
        Assert.True(SmsSegmenter.TrySegment(longest, 1, out var segmented, out _));
        Assert.Equal(255, segmented.Count);

        Assert.False(SmsSegmenter.TrySegment(longest + "a", 1, out var refused, out var error));
        Assert.Null(refused);
        Assert.Equal("too_many_segments", error.Code);
    }

    [Fact]
    public void The_alphabet_should_list_127_default_and_10_extension_characters_that_encode_and_decode_back()
    {
        var characters = Gsm7Alphabet.Characters().ToArray();
        Assert.Equal(137, characters.Length);
        Assert.Equal(characters.Length, characters.Distinct().Count());
        foreach (var character in characters)
        {
            var septets = new byte[2];
            var written = Gsm7Alphabet.Encode([character], septets);
            Assert.Equal(Gsm7Alphabet.SeptetCost(character), written);
            Assert.Equal(character.ToString(), Gsm7Alphabet.Decode(septets.AsSpan(0, written)));
        }
        Assert.Equal(10, characters.Count(c => Gsm7Alphabet.SeptetCost(c) == 2));
    }

    // ---------------------------------------------------------------- 4. septet packing

    private static readonly Gen<(byte[] Septets, int Fill)> SeptetArrays =
        from fill in Gen.Choose(0, 6)
        from count in Gen.Frequency((3, Gen.Choose(0, 160)), (1, Gen.Elements(new[] { 0, 1, 7, 8, 9, 152, 153, 159, 160 })))
        from septets in Gen.Choose(0, Gsm7Alphabet.MaxSeptet).Select(s => (byte)s).ArrayOf(count)
        select (septets, fill);

    [Property(MaxTest = 1000)]
    public Property Packed_septets_should_unpack_to_the_same_septets_for_every_fill() =>
        Prop.ForAll(SeptetArrays.ToArbitrary(), input =>
        {
            var (septets, fill) = input;
            var length = SeptetPacking.PackedLength(septets.Length, fill);
            Assert.Equal((fill + 7 * septets.Length + 7) / 8, length);

            var packed = new byte[length + 3];
            Assert.Equal(length, SeptetPacking.Pack(septets, packed, fill));
            Assert.Equal(ReferencePack(septets, fill), packed.AsSpan(0, length).ToArray());
            Assert.Equal(new byte[3], packed.AsSpan(length).ToArray()); // nothing written past the packed length

            var unpacked = new byte[septets.Length];
            Assert.True(SeptetPacking.TryUnpack(packed.AsSpan(0, length), septets.Length, unpacked, fill));
            Assert.Equal(septets, unpacked);
            if (length > 0)
                Assert.False(SeptetPacking.TryUnpack(packed.AsSpan(0, length - 1), septets.Length, unpacked, fill));
        });

    /// <summary>TS 23.038 §6.1.2.1.1 bit by bit: bit b of septet n is bit fill + 7n + b of the stream, LSB first.</summary>
    private static byte[] ReferencePack(byte[] septets, int fill)
    {
        var packed = new byte[(fill + 7 * septets.Length + 7) / 8];
        for (var n = 0; n < septets.Length; n++)
        {
            for (var b = 0; b < 7; b++)
            {
                if ((septets[n] >> b & 1) == 0)
                    continue;
                var bit = fill + 7 * n + b;
                packed[bit / 8] |= (byte)(1 << (bit % 8));
            }
        }
        return packed;
    }

    // ---------------------------------------------------------------- 5. reassembler snapshots

    [Property(MaxTest = 300)]
    public Property A_reassembler_restored_from_a_snapshot_taken_midway_should_complete_the_message() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var segmented = Segment(c.Text, c.Reference);
            var count = segmented.Count;
            var random = new Random(c.Seed);
            var order = Enumerable.Range(0, count).ToList();
            Shuffle(order, random);
            var prefix = random.Next(0, count + 1);

            var original = new SmsReassembler(Timeout);
            var time = T0;
            // Unrelated parts held beside the message: another sender with the same reference, and the same
            // sender and reference with another total (a different message by TS 23.040's key).
            var decoys = Decoys(c, count);
            foreach (var (originator, decoy) in decoys)
                Assert.Equal(ReassemblyStatus.Pending, original.Add(originator, decoy, time).Status);

            var completions = new List<ReassembledSms>();
            foreach (var index in order.Take(prefix))
                Collect(original.Add(c.Originator, ParseUserData(segmented[index]), time = time.AddSeconds(1)), completions);

            var snapshot = Durable(original.ToSnapshot());
            var restored = SmsReassembler.FromSnapshot(snapshot, Timeout);
            Assert.Equal(original.PendingCount, restored.PendingCount);
            Assert.Equal(original.NextDeadline, restored.NextDeadline);
            AssertSameSnapshot(snapshot, restored.ToSnapshot());

            foreach (var index in order.Skip(prefix))
                Collect(restored.Add(c.Originator, ParseShortMessage(segmented[index]), time = time.AddSeconds(1)), completions);

            var message = Assert.Single(completions);
            Assert.Equal(c.Text, message.Text);
            Assert.True(message.IsComplete);
            Assert.Equal(count, message.Segments);
            Assert.Equal(decoys.Count, restored.PendingCount);

            // A part the network repeats after completion is still recognised by the restored reassembler.
            if (count > 1)
            {
                var again = SmsReassembler.FromSnapshot(Durable(restored.ToSnapshot()), Timeout);
                foreach (var segment in segmented.Segments)
                    Assert.Equal(ReassemblyStatus.Duplicate, again.Add(c.Originator, segment, time).Status);
            }
        });

    private static List<(string Originator, SmsSegment Segment)> Decoys(SmsCase c, int count)
    {
        var decoys = new List<(string, SmsSegment)>();
        var otherOriginator = c.Originator == Originators[0] ? Originators[1] : Originators[0];
        decoys.Add((otherOriginator, Part(c.Reference, 2, 1, "decoy")));
        if (count is > 1 and < 255)
            decoys.Add((c.Originator, Part(c.Reference, (byte)(count + 1), 1, "decoy")));
        return decoys;
    }

    private static SmsSegment Part(byte reference, byte total, byte sequence, string text)
    {
        var septets = new byte[ConcatenationInfo.HeaderLength8Bit + text.Length];
        UserDataHeader.WriteConcatenation8Bit(septets, reference, total, sequence);
        Gsm7Alphabet.Encode(text, septets.AsSpan(ConcatenationInfo.HeaderLength8Bit));
        Assert.True(SmsSegmentParser.TryParseShortMessage(DataCodings.Gsm7, true, septets, out var segment, out var error), error?.ToString());
        return segment;
    }

    private static void Collect(ReassemblyResult result, List<ReassembledSms> completions)
    {
        Assert.NotEqual(ReassemblyStatus.Duplicate, result.Status);
        if (result.Status == ReassemblyStatus.Completed)
            completions.Add(Assert.IsType<ReassembledSms>(result.Message));
        else
            Assert.Null(result.Message);
    }

    /// <summary>The snapshot as it comes back from storage: nothing shared with the reassembler that produced it.</summary>
    private static ReassemblySnapshot Durable(ReassemblySnapshot snapshot)
    {
        static List<ReassemblyEntrySnapshot> Copy(IReadOnlyList<ReassemblyEntrySnapshot> entries) =>
            entries.Select(e => e with { Parts = e.Parts.Select(p => p with { Payload = p.Payload.ToArray() }).ToList() }).ToList();
        return new ReassemblySnapshot(Copy(snapshot.Pending), Copy(snapshot.RecentlyCompleted));
    }

    private static void AssertSameSnapshot(ReassemblySnapshot expected, ReassemblySnapshot actual)
    {
        static string Describe(IReadOnlyList<ReassemblyEntrySnapshot> entries) => string.Join("; ", entries.Select(e =>
            $"{e.Originator}/{e.Reference}/{e.SixteenBitReference}/{e.Total}/{e.FirstReceivedAt:O}/{e.LastReceivedAt:O}: " +
            string.Join(",", e.Parts.Select(p => $"{p.Sequence}:{p.Encoding}:{Convert.ToHexString(p.Payload)}"))));
        Assert.Equal(Describe(expected.Pending), Describe(actual.Pending));
        Assert.Equal(Describe(expected.RecentlyCompleted), Describe(actual.RecentlyCompleted));
    }

    // ---------------------------------------------------------------- helpers

    private static SegmentedSms Segment(string text, byte reference)
    {
        Assert.True(SmsSegmenter.TrySegment(text, reference, out var segmented, out var error), error?.ToString());
        return segmented;
    }

    private static SmsSegment ParseShortMessage(SmsSegment segment)
    {
        Assert.True(SmsSegmentParser.TryParseShortMessage(segment.DataCoding, segment.HasUserDataHeader, segment.ShortMessage,
            out var parsed, out var error), $"SMPP form of {segment}: {error}");
        return parsed;
    }

    private static SmsSegment ParseUserData(SmsSegment segment)
    {
        var userData = segment.ToUserData();
        Assert.True(SmsSegmentParser.TryParseUserData(segment.DataCoding, segment.HasUserDataHeader, segment.UserDataLength, userData,
            out var parsed, out var error), $"air form {Convert.ToHexString(userData)} of {segment}: {error}");
        return parsed;
    }

    private static void AssertSameSegment(SmsSegment expected, SmsSegment actual)
    {
        Assert.Equal(expected.Encoding, actual.Encoding);
        Assert.Equal(expected.HeaderLength, actual.HeaderLength);
        Assert.Equal(expected.Concatenation, actual.Concatenation);
        Assert.Equal(Convert.ToHexString(expected.ShortMessage.Span), Convert.ToHexString(actual.ShortMessage.Span));
        Assert.Equal(expected.UserDataLength, actual.UserDataLength);
        Assert.Equal(expected.DecodeText(), actual.DecodeText());
    }

    private static void Shuffle<T>(List<T> items, Random random)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
