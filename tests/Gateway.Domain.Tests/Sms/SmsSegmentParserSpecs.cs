using Gateway.Domain.Sms;

namespace Gateway.Domain.Tests.Sms;

public class SmsSegmentParserSpecs
{
    [Theory]
    // data_coding, UDHI, short_message, header octets, reference, total, sequence, 16-bit, text
    [InlineData(0x00, false, "48656C6C6F", 0, -1, 0, 0, false, "Hello")]
    [InlineData(0x00, true, "0500030A020148656C6C6F", 6, 0x0A, 2, 1, false, "Hello")]        // TS 23.040 §9.2.3.24.1
    [InlineData(0x00, true, "0608040A0B030348", 7, 0x0A0B, 3, 3, true, "H")]                   // §9.2.3.24.8: 16-bit reference
    [InlineData(0x08, true, "050003FF0202D83DDE00", 6, 0xFF, 2, 2, false, "😀")]
    [InlineData(0x00, true, "0041", 1, -1, 0, 0, false, "A")]                                  // UDHL 0: an empty header
    [InlineData(0x00, true, "087001FF00030A020141", 9, 0x0A, 2, 1, false, "A")]                // an unknown IE is skipped
    [InlineData(0x00, true, "0500030A0101", 6, 0x0A, 1, 1, false, "")]                         // 1 of 1, empty text
    [InlineData(0x08, false, "", 0, -1, 0, 0, false, "")]
    public void TryParseShortMessage_should_read_a_valid_segment(
        byte dataCoding, bool udhi, string hex, int headerLength, int reference, int total, int sequence, bool sixteenBit, string text)
    {
        Assert.True(SmsSegmentParser.TryParseShortMessage(dataCoding, udhi, Convert.FromHexString(hex), out var segment, out var error),
            error?.ToString());

        Assert.Equal(headerLength, segment.HeaderLength);
        Assert.Equal(udhi, segment.HasUserDataHeader);
        var expected = reference < 0 ? (ConcatenationInfo?)null
            : new ConcatenationInfo((ushort)reference, (byte)total, (byte)sequence, sixteenBit);
        Assert.Equal(expected, segment.Concatenation);
        Assert.Equal(text, segment.DecodeText());
        Assert.Equal(dataCoding, segment.DataCoding);
    }

    [Theory]
    [InlineData(0x00, true, "", SmsCodecErrorCode.MalformedUdh)]                        // UDHI set, nothing there
    [InlineData(0x00, true, "06000300", SmsCodecErrorCode.MalformedUdh)]                // UDHL past the end
    [InlineData(0x00, true, "0100", SmsCodecErrorCode.MalformedUdh)]                    // IE without its length octet
    [InlineData(0x00, true, "03000401", SmsCodecErrorCode.MalformedUdh)]                // IE length past the header
    [InlineData(0x00, true, "0400020A02", SmsCodecErrorCode.MalformedUdh)]              // IE 00 of 2 octets, not 3
    [InlineData(0x00, true, "050803000201", SmsCodecErrorCode.MalformedUdh)]            // IE 08 of 3 octets, not 4
    [InlineData(0x00, true, "0A0003010201000302020141", SmsCodecErrorCode.MalformedUdh)] // two concatenation IEs
    [InlineData(0x00, true, "0500030A0001", SmsCodecErrorCode.InvalidConcatenation)]    // total 0
    [InlineData(0x00, true, "0500030A0200", SmsCodecErrorCode.InvalidConcatenation)]    // sequence 0
    [InlineData(0x00, true, "0500030A0203", SmsCodecErrorCode.InvalidConcatenation)]    // sequence above the total
    [InlineData(0x00, true, "0608040A0B0000", SmsCodecErrorCode.InvalidConcatenation)]
    [InlineData(0x00, true, "0605040B8400004142", SmsCodecErrorCode.UnsupportedUdh)]    // application port (WAP push)
    [InlineData(0x00, true, "0404020B84", SmsCodecErrorCode.UnsupportedUdh)]            // 8-bit application port
    [InlineData(0x00, true, "0324010141", SmsCodecErrorCode.UnsupportedUdh)]            // national language single shift
    [InlineData(0x00, true, "0325010141", SmsCodecErrorCode.UnsupportedUdh)]            // national language locking shift
    [InlineData(0x00, false, "4180", SmsCodecErrorCode.InvalidSeptet)]
    [InlineData(0x08, false, "004100", SmsCodecErrorCode.TruncatedPayload)]             // odd UCS-2 octets
    [InlineData(0x08, true, "0500030A020100", SmsCodecErrorCode.TruncatedPayload)]
    [InlineData(0x03, false, "41", SmsCodecErrorCode.UnsupportedDataCoding)]            // SMPP Latin-1
    [InlineData(0x04, false, "41", SmsCodecErrorCode.UnsupportedDataCoding)]            // SMPP 8-bit binary
    [InlineData(0xF0, false, "41", SmsCodecErrorCode.UnsupportedDataCoding)]
    public void TryParseShortMessage_should_refuse_a_malformed_segment_with_a_codec_error(
        byte dataCoding, bool udhi, string hex, SmsCodecErrorCode expected)
    {
        Assert.False(SmsSegmentParser.TryParseShortMessage(dataCoding, udhi, Convert.FromHexString(hex), out _, out var error));
        Assert.Equal(expected, error.Kind);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void TryParseShortMessage_should_refuse_more_than_one_sms_of_user_data()
    {
        Assert.True(Parse(0x00, false, new byte[160]));
        Assert.Equal(SmsCodecErrorCode.UserDataTooLong, Refusal(0x00, false, new byte[161]));
        Assert.True(Parse(0x00, true, [.. Convert.FromHexString("0500030A0201"), .. new byte[153]]));
        Assert.Equal(SmsCodecErrorCode.UserDataTooLong, Refusal(0x00, true, [.. Convert.FromHexString("0500030A0201"), .. new byte[154]]));
        Assert.True(Parse(0x08, false, new byte[140]));
        Assert.Equal(SmsCodecErrorCode.UserDataTooLong, Refusal(0x08, false, new byte[142]));
    }

    [Fact]
    public void Every_codec_error_should_have_a_distinct_snake_case_code()
    {
        var codes = Enum.GetValues<SmsCodecErrorCode>().Select(kind => new SmsCodecError(kind, "x").Code).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.All(codes, code => Assert.Matches("^[a-z]+(_[a-z0-9]+)*$", code));
    }

    [Theory]
    // TP-DCS, TP-UDHI, TP-UDL, TP-UD (air interface, TS 23.040 §9.2.3), text
    [InlineData(0x00, false, 10, "E8329BFD4697D9EC37", "hellohello")]
    [InlineData(0x00, true, 12, "050003CC0202906536FB0D", "Hello")]   // one fill bit after the 6-octet header
    [InlineData(0x00, true, 10, "0608040A0B0303C832", "He")]          // 7-octet header: 8 septets, no fill
    [InlineData(0xF0, false, 5, "C8329BFD06", "Hello")]              // data coding / message class group, GSM 7-bit
    [InlineData(0x11, false, 5, "C8329BFD06", "Hello")]              // general group with message class 1
    [InlineData(0x08, false, 6, "0436D83DDE00", "ж😀")]
    [InlineData(0x18, true, 8, "0500030101010436", "ж")] // UCS-2 with message class
    public void TryParseUserData_should_read_the_air_interface_form(byte dcs, bool udhi, int udl, string hex, string text)
    {
        Assert.True(SmsSegmentParser.TryParseUserData(dcs, udhi, udl, Convert.FromHexString(hex), out var segment, out var error),
            error?.ToString());

        Assert.Equal(text, segment.DecodeText());
        Assert.Equal(udl, segment.UserDataLength);
        Assert.Equal(hex, Convert.ToHexString(segment.ToUserData()));
    }

    [Theory]
    [InlineData(0x04, false, 1, "41", SmsCodecErrorCode.UnsupportedDataCoding)]     // 8-bit data
    [InlineData(0x24, false, 1, "41", SmsCodecErrorCode.UnsupportedDataCoding)]     // compressed
    [InlineData(0xC8, false, 1, "41", SmsCodecErrorCode.UnsupportedDataCoding)]     // message waiting indication
    [InlineData(0xF4, false, 1, "41", SmsCodecErrorCode.UnsupportedDataCoding)]     // class group, 8-bit data
    [InlineData(0x00, false, 161, "", SmsCodecErrorCode.UserDataTooLong)]
    [InlineData(0x08, false, 141, "", SmsCodecErrorCode.UserDataTooLong)]
    [InlineData(0x00, false, -1, "", SmsCodecErrorCode.UserDataTooLong)]
    [InlineData(0x00, false, 10, "E8329BFD4697D9EC", SmsCodecErrorCode.TruncatedPayload)]
    [InlineData(0x00, false, 10, "E8329BFD4697D9EC3700", SmsCodecErrorCode.TruncatedPayload)] // longer than TP-UDL says
    [InlineData(0x00, true, 6, "050003CC0202", SmsCodecErrorCode.TruncatedPayload)]  // header needs 7 septets
    [InlineData(0x00, true, 12, "090003CC0202906536FB0D", SmsCodecErrorCode.MalformedUdh)]
    [InlineData(0x08, false, 3, "043641", SmsCodecErrorCode.TruncatedPayload)]
    public void TryParseUserData_should_refuse_a_malformed_segment_with_a_codec_error(
        byte dcs, bool udhi, int udl, string hex, SmsCodecErrorCode expected)
    {
        Assert.False(SmsSegmentParser.TryParseUserData(dcs, udhi, udl, Convert.FromHexString(hex), out _, out var error));
        Assert.Equal(expected, error.Kind);
    }

    private static bool Parse(byte dataCoding, bool udhi, byte[] shortMessage) =>
        SmsSegmentParser.TryParseShortMessage(dataCoding, udhi, shortMessage, out _, out _);

    private static SmsCodecErrorCode Refusal(byte dataCoding, bool udhi, byte[] shortMessage)
    {
        Assert.False(SmsSegmentParser.TryParseShortMessage(dataCoding, udhi, shortMessage, out _, out var error));
        return error.Kind;
    }
}
