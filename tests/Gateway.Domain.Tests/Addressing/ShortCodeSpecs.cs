using Gateway.Domain.Addressing;

namespace Gateway.Domain.Tests.Addressing;

public class ShortCodeSpecs
{
    [Theory]
    [InlineData("12345")]
    [InlineData("123456")]
    [InlineData("73223")]
    [InlineData("00000")]   // no country code to protect: any digit may lead
    [InlineData("099999")]
    public void TryParse_should_accept_5_or_6_ascii_digits(string text)
    {
        Assert.True(ShortCode.TryParse(text, out var code));
        Assert.Equal(text, code.Value);
        Assert.Equal(text, code.ToString());
    }

    [Theory]
    [InlineData("1234")]
    [InlineData("0000")]
    public void TryParse_should_refuse_a_short_code_of_4_digits(string text)
    {
        Assert.False(ShortCode.TryParse(text, out var code));
        Assert.Equal(default, code);
    }

    [Theory]
    [InlineData("1234567")]
    [InlineData("19465559040")]
    public void TryParse_should_refuse_7_digits_or_more(string text)
    {
        Assert.False(ShortCode.TryParse(text, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("+12345")]
    [InlineData("1234a")]
    [InlineData("12 345")]
    [InlineData(" 12345")]
    [InlineData("12345 ")]
    [InlineData("12345\n")]
    [InlineData("12-345")]
    [InlineData("١٢٣٤٥")]      // Arabic-Indic digits
    [InlineData("１２３４５")]   // full-width digits
    [InlineData("ABCDE")]
    public void TryParse_should_refuse_anything_but_ascii_digits(string text)
    {
        Assert.False(ShortCode.TryParse(text, out var code));
        Assert.Equal(default, code);
    }

    [Fact]
    public void TryParse_should_refuse_null()
    {
        Assert.False(ShortCode.TryParse(null, out var code));
        Assert.Equal(default, code);
    }

    [Theory]
    [InlineData("1234")]
    [InlineData("1234567")]
    [InlineData("")]
    public void Parse_should_throw_a_FormatException_on_an_invalid_short_code(string text)
    {
        var error = Assert.Throws<FormatException>(() => ShortCode.Parse(text));
        Assert.Contains("5 or 6 digits", error.Message);
    }

    [Fact]
    public void Two_short_codes_with_the_same_digits_should_be_equal()
    {
        Assert.Equal(ShortCode.Parse("73223"), ShortCode.Parse("73223"));
        Assert.Equal(ShortCode.Parse("73223").GetHashCode(), ShortCode.Parse("73223").GetHashCode());
        Assert.NotEqual(ShortCode.Parse("73223"), ShortCode.Parse("73224"));
    }
}
