using Gateway.Domain.Sms;

namespace Gateway.Domain.Tests.Sms;

public class SmsSegmenterSpecs
{
    private const byte Reference = 0xCC;

    [Theory]
    [InlineData(0, 'a', SmsEncoding.Gsm7, 1)]
    [InlineData(160, 'a', SmsEncoding.Gsm7, 1)]    // TS 23.038: 160 septets fit one SMS
    [InlineData(161, 'a', SmsEncoding.Gsm7, 2)]    // 153 per segment once the concatenation UDH is present
    [InlineData(306, 'a', SmsEncoding.Gsm7, 2)]
    [InlineData(307, 'a', SmsEncoding.Gsm7, 3)]
    [InlineData(80, '€', SmsEncoding.Gsm7, 1)]     // 80 extension characters are exactly 160 septets
    [InlineData(81, '€', SmsEncoding.Gsm7, 2)]
    [InlineData(70, 'ж', SmsEncoding.Ucs2, 1)]     // 70 UTF-16 units alone
    [InlineData(71, 'ж', SmsEncoding.Ucs2, 2)]     // 67 per segment
    [InlineData(134, 'ж', SmsEncoding.Ucs2, 2)]
    [InlineData(135, 'ж', SmsEncoding.Ucs2, 3)]
    [InlineData(1600, 'ж', SmsEncoding.Ucs2, 24)]  // the partner API's longest text
    public void Segmenter_should_count_segments(int length, char character, SmsEncoding encoding, int expected)
    {
        var text = new string(character, length);

        var segmented = Segment(text);

        Assert.Equal(encoding, segmented.Encoding);
        Assert.Equal(expected, segmented.Count);
        Assert.Equal(expected, SmsSegmenter.Plan(text).Segments);
        Assert.All(segmented.Segments, s => Assert.Equal(DataCodings.For(encoding), s.DataCoding));
    }

    [Fact]
    public void A_text_of_one_segment_should_have_no_header()
    {
        var segment = Assert.Single(Segment("hellohello").Segments);

        Assert.False(segment.HasUserDataHeader);
        Assert.Null(segment.Concatenation);
        Assert.Equal(0x00, segment.DataCoding);
        Assert.Equal("68656C6C6F68656C6C6F", Hex(segment.ShortMessage)); // SMPP: one septet per octet
        Assert.Equal(10, segment.UserDataLength);
        Assert.Equal("E8329BFD4697D9EC37", Convert.ToHexString(segment.ToUserData()));
        Assert.Equal("hellohello", segment.DecodeText());
    }

    [Fact]
    public void Each_segment_of_a_long_text_should_carry_the_8_bit_concatenation_header()
    {
        var segmented = Segment(new string('a', 153) + "Hello!!!");

        Assert.Equal(2, segmented.Count);
        // TS 23.040 §9.2.3.24.1: UDHL 05, IEI 00, IEDL 03, reference, total, sequence
        Assert.Equal("050003CC0201", Hex(segmented[0].UserDataHeader));
        Assert.Equal("050003CC0202", Hex(segmented[1].UserDataHeader));
        Assert.Equal(new ConcatenationInfo(Reference, 2, 1), segmented[0].Concatenation);
        Assert.Equal(new ConcatenationInfo(Reference, 2, 2), segmented[1].Concatenation);

        Assert.Equal(153, segmented[0].Payload.Length);
        Assert.Equal(160, segmented[0].UserDataLength);
        Assert.Equal(140, segmented[0].UserDataOctets);

        Assert.Equal("050003CC020248656C6C6F212121", Hex(segmented[1].ShortMessage));
        Assert.Equal(15, segmented[1].UserDataLength); // 7 header septets + 8
        Assert.Equal("050003CC0202906536FB1D0A8500", Convert.ToHexString(segmented[1].ToUserData())); // 1 fill bit
    }

    [Fact]
    public void An_extension_character_at_a_segment_border_should_move_whole_to_the_next_segment()
    {
        var segmented = Segment(new string('a', 152) + "€" + new string('b', 10));

        Assert.Equal(2, segmented.Count);
        Assert.Equal(152, segmented[0].Payload.Length);
        Assert.NotEqual(Gsm7Alphabet.Escape, segmented[0].Payload.Span[^1]);
        Assert.Equal("1B65" + "62626262626262626262", Hex(segmented[1].Payload));
        Assert.Equal(new string('a', 152), segmented[0].DecodeText());
        Assert.Equal("€" + new string('b', 10), segmented[1].DecodeText());
    }

    [Fact]
    public void An_extension_character_that_ends_exactly_on_the_border_should_stay()
    {
        var segmented = Segment(new string('a', 151) + "€" + new string('b', 10));

        Assert.Equal(153, segmented[0].Payload.Length);
        Assert.Equal("1B65", Hex(segmented[0].Payload[^2..]));
        Assert.Equal(new string('b', 10), segmented[1].DecodeText());
    }

    [Fact]
    public void Eighty_one_euro_signs_should_split_between_escape_pairs()
    {
        var segmented = Segment(new string('€', 81));

        Assert.Equal(152, segmented[0].Payload.Length); // 76 pairs; the 77th would need septets 153 and 154
        Assert.Equal(new string('€', 76), segmented[0].DecodeText());
        Assert.Equal(new string('€', 5), segmented[1].DecodeText());
    }

    [Fact]
    public void An_emoji_at_a_segment_border_should_move_whole_to_the_next_segment()
    {
        var segmented = Segment(new string('ж', 66) + "😀" + "xyz" + new string('ж', 5));

        Assert.Equal(2, segmented.Count);
        Assert.Equal(66, segmented[0].TextUnits);
        Assert.Equal(new string('ж', 66), segmented[0].DecodeText());
        Assert.StartsWith("D83DDE00", Hex(segmented[1].Payload)); // U+1F600 as a UTF-16BE surrogate pair
        Assert.Equal("😀xyz" + new string('ж', 5), segmented[1].DecodeText());
    }

    [Fact]
    public void An_emoji_that_ends_exactly_on_the_border_should_stay()
    {
        var segmented = Segment(new string('ж', 65) + "😀" + "xyz" + new string('ж', 5));

        Assert.Equal(67, segmented[0].TextUnits);
        Assert.EndsWith("D83DDE00", Hex(segmented[0].Payload));
        Assert.Equal(134 + 6, segmented[0].UserDataOctets);
    }

    [Fact]
    public void A_ucs2_text_should_be_utf16_big_endian_with_data_coding_8()
    {
        var segment = Assert.Single(Segment("ж😀é").Segments);

        Assert.Equal(0x08, segment.DataCoding);
        Assert.Equal("0436D83DDE0000E9", Hex(segment.ShortMessage));
        Assert.Equal(8, segment.UserDataLength); // octets for UCS-2 (TS 23.040 §9.2.3.16)
        Assert.Equal("0436D83DDE0000E9", Convert.ToHexString(segment.ToUserData()));
    }

    [Fact]
    public void One_character_outside_the_alphabet_should_make_the_whole_text_ucs2()
    {
        var segmented = Segment(new string('a', 100) + "ç");

        Assert.Equal(SmsEncoding.Ucs2, segmented.Encoding);
        Assert.Equal(2, segmented.Count); // 101 units: over 70
    }

    [Fact]
    public void A_text_of_255_segments_should_segment_and_one_of_256_should_be_refused()
    {
        Assert.Equal(255, Segment(new string('a', 255 * 153)).Count);

        Assert.False(SmsSegmenter.TrySegment(new string('a', 255 * 153 + 1), Reference, out var segmented, out var error));
        Assert.Null(segmented);
        Assert.Equal(SmsCodecErrorCode.TooManySegments, error.Kind);
        Assert.Equal("too_many_segments", error.Code);
    }

    [Fact]
    public void Plan_should_count_units_and_octets_without_segmenting()
    {
        Assert.Equal(new SmsTextPlan(SmsEncoding.Gsm7, 162, 2, 162 + 12), SmsSegmenter.Plan(new string('€', 81)));
        Assert.Equal(new SmsTextPlan(SmsEncoding.Ucs2, 6, 1, 12), SmsSegmenter.Plan("😀😀😀"));
        Assert.Equal(new SmsTextPlan(SmsEncoding.Gsm7, 0, 1, 0), SmsSegmenter.Plan(""));
    }

    [Fact]
    public void All_segments_should_share_one_buffer()
    {
        var segmented = Segment(new string('a', 500));

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(segmented[0].ShortMessage, out var first));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(segmented[3].ShortMessage, out var last));
        Assert.Same(first.Array, last.Array);
        Assert.Equal(500 + 4 * 6, first.Array!.Length);
    }

    private static SegmentedSms Segment(string text)
    {
        Assert.True(SmsSegmenter.TrySegment(text, Reference, out var segmented, out var error), error?.ToString());
        return segmented;
    }

    private static string Hex(ReadOnlyMemory<byte> bytes) => Convert.ToHexString(bytes.Span);
}
