using Gateway.Domain.Sms;

namespace Gateway.Domain.Tests.Sms;

public class SeptetPackingSpecs
{
    [Theory]
    // TS 23.038 §6.1.2.1.1: septets packed least significant bit first
    [InlineData("hellohello", 0, "E8329BFD4697D9EC37")]  // the standard example
    [InlineData("Hello", 0, "C8329BFD06")]
    [InlineData("How are you?", 0, "C8F71D14969741F977FD07")]
    [InlineData("1234567", 0, "31D98C56B3DD00")]       // 7 septets: 49 bits, the last octet carries 1 bit
    [InlineData("12345678", 0, "31D98C56B3DD70")]      // 8 septets fill exactly 7 octets
    [InlineData("Hello", 1, "906536FB0D")]             // after a 6-octet UDH: one fill bit (TS 23.040 §9.2.3.24)
    [InlineData("Hi", 1, "9069")]
    [InlineData("", 0, "")]
    public void Pack_should_give_the_known_octets(string text, int fillBits, string packedHex)
    {
        var septets = Septets(text);
        var packed = new byte[SeptetPacking.PackedLength(septets.Length, fillBits)];

        Assert.Equal(packed.Length, SeptetPacking.Pack(septets, packed, fillBits));
        Assert.Equal(packedHex, Convert.ToHexString(packed));

        var unpacked = new byte[septets.Length];
        Assert.True(SeptetPacking.TryUnpack(packed, septets.Length, unpacked, fillBits));
        Assert.Equal(septets, unpacked);
    }

    [Theory]
    [InlineData(1, 6, 2)]   // UDHL 00 alone: 8 bits, 6 fill bits to 2 septets
    [InlineData(6, 1, 7)]   // 8-bit concatenation header: 48 bits + 1 = 7 septets
    [InlineData(7, 0, 8)]   // 16-bit concatenation header: 56 bits are exactly 8 septets
    [InlineData(12, 2, 14)]
    public void The_fill_bits_should_bring_a_header_to_whole_septets(int headerOctets, int fillBits, int headerSeptets)
    {
        Assert.Equal(fillBits, SeptetPacking.FillBitsAfterHeader(headerOctets));
        Assert.Equal(headerSeptets, SeptetPacking.HeaderSeptets(headerOctets));
        Assert.Equal(headerSeptets * 7, headerOctets * 8 + fillBits);
    }

    [Theory]
    [InlineData(160, 0, 140)]
    [InlineData(153, 1, 134)]  // with the 6 header octets: 140
    [InlineData(152, 0, 133)]  // with a 7-octet header: 140
    public void A_full_segment_should_pack_into_140_octets_with_its_header(int septets, int fillBits, int octets) =>
        Assert.Equal(octets, SeptetPacking.PackedLength(septets, fillBits));

    [Fact]
    public void TryUnpack_should_refuse_octets_too_few_for_the_septet_count()
    {
        var destination = new byte[10];
        Assert.False(SeptetPacking.TryUnpack(Convert.FromHexString("E8329BFD4697D9EC"), 10, destination));
        Assert.False(SeptetPacking.TryUnpack(Convert.FromHexString("906536FB"), 5, destination, fillBits: 1));
    }

    private static byte[] Septets(string text)
    {
        var septets = new byte[Gsm7Alphabet.CountSeptets(text)];
        Gsm7Alphabet.Encode(text, septets);
        return septets;
    }
}
