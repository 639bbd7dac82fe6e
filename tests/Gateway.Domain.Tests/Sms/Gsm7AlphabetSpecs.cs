using Gateway.Domain.Sms;

namespace Gateway.Domain.Tests.Sms;

public class Gsm7AlphabetSpecs
{
    [Theory]
    // 3GPP TS 23.038 §6.2.1, the default alphabet: a row from each column, and every non-ASCII oddity
    [InlineData('@', 0x00)]
    [InlineData('£', 0x01)]
    [InlineData('$', 0x02)]
    [InlineData('¥', 0x03)]
    [InlineData('è', 0x04)]
    [InlineData('é', 0x05)]
    [InlineData('ù', 0x06)]
    [InlineData('ì', 0x07)]
    [InlineData('ò', 0x08)]
    [InlineData('Ç', 0x09)]          // capital C cedilla; the small ç is not in the alphabet
    [InlineData('\n', 0x0A)]
    [InlineData('Ø', 0x0B)]
    [InlineData('ø', 0x0C)]
    [InlineData('\r', 0x0D)]
    [InlineData('Å', 0x0E)]
    [InlineData('å', 0x0F)]
    [InlineData('Δ', 0x10)]
    [InlineData('_', 0x11)]
    [InlineData('Φ', 0x12)]
    [InlineData('Γ', 0x13)]
    [InlineData('Λ', 0x14)]
    [InlineData('Ω', 0x15)]
    [InlineData('Π', 0x16)]
    [InlineData('Ψ', 0x17)]
    [InlineData('Σ', 0x18)]
    [InlineData('Θ', 0x19)]
    [InlineData('Ξ', 0x1A)]
    [InlineData('Æ', 0x1C)]
    [InlineData('æ', 0x1D)]
    [InlineData('ß', 0x1E)]
    [InlineData('É', 0x1F)]
    [InlineData(' ', 0x20)]
    [InlineData('¤', 0x24)]          // not '$': the currency sign
    [InlineData('0', 0x30)]
    [InlineData('?', 0x3F)]
    [InlineData('¡', 0x40)]          // not '@'
    [InlineData('A', 0x41)]
    [InlineData('Z', 0x5A)]
    [InlineData('Ä', 0x5B)]
    [InlineData('Ö', 0x5C)]
    [InlineData('Ñ', 0x5D)]
    [InlineData('Ü', 0x5E)]
    [InlineData('§', 0x5F)]
    [InlineData('¿', 0x60)]
    [InlineData('a', 0x61)]
    [InlineData('z', 0x7A)]
    [InlineData('ä', 0x7B)]
    [InlineData('ö', 0x7C)]
    [InlineData('ñ', 0x7D)]
    [InlineData('ü', 0x7E)]
    [InlineData('à', 0x7F)]
    public void A_default_alphabet_character_should_be_one_septet_with_its_code(char character, byte code)
    {
        Span<byte> septets = stackalloc byte[2];
        Assert.Equal(1, Gsm7Alphabet.Encode([character], septets));
        Assert.Equal(code, septets[0]);
        Assert.Equal(1, Gsm7Alphabet.SeptetCost(character));
        Assert.Equal(character, Gsm7Alphabet.DecodeDefault(code));
    }

    [Theory]
    // TS 23.038 §6.2.1.1, the extension table: escape 0x1B, then the code
    [InlineData('\f', 0x0A)]
    [InlineData('^', 0x14)]
    [InlineData('{', 0x28)]
    [InlineData('}', 0x29)]
    [InlineData('\\', 0x2F)]
    [InlineData('[', 0x3C)]
    [InlineData('~', 0x3D)]
    [InlineData(']', 0x3E)]
    [InlineData('|', 0x40)]
    [InlineData('€', 0x65)]
    public void An_extension_character_should_cost_two_septets_escape_then_code(char character, byte code)
    {
        Span<byte> septets = stackalloc byte[2];
        Assert.Equal(2, Gsm7Alphabet.Encode([character], septets));
        Assert.Equal([Gsm7Alphabet.Escape, code], septets.ToArray());
        Assert.Equal(2, Gsm7Alphabet.SeptetCost(character));
        Assert.Equal(character, Gsm7Alphabet.DecodeExtension(code));
    }

    [Theory]
    [InlineData("`")]          // the grave accent has no code
    [InlineData("ç")]          // only the capital Ç is in the alphabet
    [InlineData("ê")]
    [InlineData("\t")]
    [InlineData("\u001B")]     // the escape code is not a character
    [InlineData("\u00A0")]     // no-break space
    [InlineData("’")]          // typographic apostrophe
    [InlineData("\u2126")]     // U+2126 ohm sign, not U+03A9 omega
    [InlineData("µ")]
    [InlineData("ж")]
    [InlineData("😀")]
    [InlineData("Hello 😀")]
    public void A_text_with_a_character_outside_the_alphabet_should_not_be_encodable(string text)
    {
        Assert.False(Gsm7Alphabet.CanEncode(text));
        Assert.Equal(-1, Gsm7Alphabet.CountSeptets(text));
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("Hello", 5)]
    [InlineData("€", 2)]
    [InlineData("[x]", 5)]
    [InlineData("{^~|\\\f}", 14)]
    [InlineData("Ça coûte 5€", -1)]  // û is not in the alphabet
    [InlineData("Ça va? 5€", 10)]
    public void CountSeptets_should_count_an_extension_character_twice(string text, int septets) =>
        Assert.Equal(septets, Gsm7Alphabet.CountSeptets(text));

    [Fact]
    public void Every_character_of_the_alphabet_should_encode_and_decode_to_itself()
    {
        var characters = Gsm7Alphabet.Characters().ToArray();
        Assert.Equal(127 + 10, characters.Length);
        Assert.Equal(characters.Length, characters.Distinct().Count());
        var text = new string(characters);
        var septets = new byte[Gsm7Alphabet.CountSeptets(text)];
        Assert.Equal(127 + 2 * 10, Gsm7Alphabet.Encode(text, septets));
        Assert.Equal(text, Gsm7Alphabet.Decode(septets));
    }

    [Theory]
    // TS 23.038 §6.2.1.1: an escaped code without an extension character shows the default character
    [InlineData("1B41", "A")]
    [InlineData("1B0D", "\r")]      // CR2, a control code of the extension table, shows as CR
    [InlineData("1B1B41", " A")]    // escape escape: reserved for another table, shown as a space
    [InlineData("411B", "A")]       // an escape at the very end selects nothing
    [InlineData("1B651B14", "€^")]
    [InlineData("C1", "A")]         // the eighth bit of an unpacked septet is ignored
    public void Decode_should_follow_the_extension_table_rules(string septetsHex, string text) =>
        Assert.Equal(text, Gsm7Alphabet.Decode(Convert.FromHexString(septetsHex)));

    [Fact]
    public void Encode_should_refuse_a_character_outside_the_alphabet() =>
        Assert.Throws<ArgumentException>(() => Gsm7Alphabet.Encode("ç", new byte[2]));
}
