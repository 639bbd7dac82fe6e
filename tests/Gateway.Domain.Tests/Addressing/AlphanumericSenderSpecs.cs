using Gateway.Domain.Addressing;

namespace Gateway.Domain.Tests.Addressing;

public class AlphanumericSenderSpecs
{
    [Theory]
    [InlineData("A")]            // 1 character: the minimum
    [InlineData("Acme")]
    [InlineData("Acme Bank")]
    [InlineData("ACMEBANK123")]  // 11 characters: the maximum
    [InlineData("a1 2 3 4 5 ")]  // 11 with a trailing space
    [InlineData("z")]
    [InlineData("Z9")]
    [InlineData("Acme  Bank")]   // two spaces inside
    [InlineData("Acme ")]        // a trailing space is a space like any other
    public void TryParse_should_accept_1_to_11_ascii_letters_digits_and_spaces_starting_with_a_letter(string text)
    {
        Assert.True(AlphanumericSender.TryParse(text, out var sender));
        Assert.Equal(text, sender.Value);
        Assert.Equal(text, sender.ToString());
    }

    [Fact]
    public void TryParse_should_keep_trailing_spaces_rather_than_trim_them()
    {
        Assert.True(AlphanumericSender.TryParse("Acme  ", out var sender));
        Assert.Equal("Acme  ", sender.Value);
        Assert.NotEqual(AlphanumericSender.Parse("Acme"), sender);
    }

    [Fact]
    public void TryParse_should_refuse_12_characters()
    {
        Assert.False(AlphanumericSender.TryParse("ACMEBANK1234", out var sender));
        Assert.Equal(default, sender);
    }

    [Theory]
    [InlineData("1Acme")]        // starts with a digit
    [InlineData("12345")]
    [InlineData(" Acme")]        // starts with a space
    [InlineData("+Acme")]
    [InlineData("_Acme")]
    public void TryParse_should_refuse_a_sender_not_starting_with_a_letter(string text)
    {
        Assert.False(AlphanumericSender.TryParse(text, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Acme-Bank")]
    [InlineData("Acme.Bank")]
    [InlineData("Acme_Bank")]
    [InlineData("Acme&Co")]
    [InlineData("Acme\tBank")]
    [InlineData("Acme\nBank")]
    [InlineData("Acme\0")]
    [InlineData("Acme\u00a0Bank")] // no-break space
    [InlineData("Café")]            // a letter, but not ASCII: not reliably GSM 7-bit in a TP-OA
    [InlineData("Ärzte")]
    [InlineData("Σigma")]
    [InlineData("Acme😀")]
    [InlineData("Ａcme")]           // full-width letter
    [InlineData("Acme１")]          // full-width digit
    public void TryParse_should_refuse_anything_but_ascii_letters_digits_and_spaces(string text)
    {
        Assert.False(AlphanumericSender.TryParse(text, out var sender));
        Assert.Equal(default, sender);
    }

    [Fact]
    public void TryParse_should_refuse_null()
    {
        Assert.False(AlphanumericSender.TryParse(null, out _));
    }

    [Theory]
    [InlineData("1Acme")]
    [InlineData("ACMEBANK1234")]
    [InlineData("")]
    public void Parse_should_throw_a_FormatException_naming_the_rule(string text)
    {
        var error = Assert.Throws<FormatException>(() => AlphanumericSender.Parse(text));
        Assert.Contains("1 to 11", error.Message);
    }

    [Fact]
    public void Senders_should_be_compared_case_sensitively_because_the_handset_shows_them_as_written()
    {
        Assert.Equal(AlphanumericSender.Parse("Acme"), AlphanumericSender.Parse("Acme"));
        Assert.NotEqual(AlphanumericSender.Parse("Acme"), AlphanumericSender.Parse("ACME"));
    }
}
