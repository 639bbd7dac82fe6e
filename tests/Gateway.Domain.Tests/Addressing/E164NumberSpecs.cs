using Gateway.Domain.Addressing;

namespace Gateway.Domain.Tests.Addressing;

public class E164NumberSpecs
{
    [Theory]
    [InlineData("+19465559040")]
    [InlineData("+12345678")]        // 8 digits: the contract's minimum
    [InlineData("+123456789012345")] // 15 digits: E.164's maximum
    [InlineData("+447700900123")]
    [InlineData("+999999999999999")]
    public void TryParse_should_accept_a_plus_then_8_to_15_digits_starting_with_1_to_9(string text)
    {
        Assert.True(E164Number.TryParse(text, out var number));
        Assert.Equal(text, number.Value);
        Assert.Equal(text, number.ToString());
    }

    [Theory]
    [InlineData("19465559040")]        // no leading '+'
    [InlineData("+09465559040")]       // a country code never starts with 0
    [InlineData("+1234567")]           // 7 digits: one short of the minimum
    [InlineData("+1234567890123456")]  // 16 digits: one over E.164's maximum
    [InlineData("+1946555904a")]
    [InlineData("+1946A559040")]
    [InlineData("+1946 5559040")]
    [InlineData(" +19465559040")]
    [InlineData("+19465559040 ")]
    [InlineData("+1-946-555-9040")]
    [InlineData("++19465559040")]
    [InlineData("")]
    [InlineData("+")]
    [InlineData("+١٢٣٤٥٦٧٨٩")]          // Arabic-Indic digits: char.IsDigit says yes, E.164 says no
    [InlineData("+1٢٣٤٥٦٧٨٩")]          // the same past the first digit, where only the ASCII check guards
    [InlineData("+１２３４５６７８９")]     // full-width digits
    [InlineData("+19465559040\n")]
    public void TryParse_should_refuse_anything_else(string text)
    {
        Assert.False(E164Number.TryParse(text, out var number));
        Assert.Equal(default, number);
    }

    [Fact]
    public void TryParse_should_refuse_null()
    {
        Assert.False(E164Number.TryParse(null, out var number));
        Assert.Equal(default, number);
    }

    [Theory]
    [InlineData("+19465559040", "19465559040")]
    [InlineData("+12345678", "12345678")]
    [InlineData("+123456789012345", "123456789012345")]
    public void Digits_should_be_the_number_without_its_plus(string text, string digits)
    {
        Assert.Equal(digits, E164Number.Parse(text).Digits);
    }

    [Theory]
    [InlineData("19465559040", "+19465559040")]
    [InlineData("12345678", "+12345678")]                // 8 digits: the minimum
    [InlineData("123456789012345", "+123456789012345")]  // 15 digits: the maximum
    [InlineData("447700900123", "+447700900123")]
    public void TryParseDigits_should_accept_the_without_plus_form_and_give_the_plus_form(string digits, string value)
    {
        Assert.True(E164Number.TryParseDigits(digits, out var number));
        Assert.Equal(value, number.Value);
        Assert.Equal(digits, number.Digits);
        Assert.Equal(E164Number.Parse(value), number);
    }

    [Theory]
    [InlineData("+19465559040")]       // the plus form is not the digits form
    [InlineData("09465559040")]        // a country code never starts with 0
    [InlineData("1234567")]            // 7 digits
    [InlineData("1234567890123456")]   // 16 digits
    [InlineData("12345")]              // a short code is not an E.164 number
    [InlineData("1946555904a")]
    [InlineData("1946 5559040")]
    [InlineData(" 19465559040")]
    [InlineData("19465559040 ")]
    [InlineData("1-946-555-9040")]
    [InlineData("١٢٣٤٥٦٧٨٩")]
    [InlineData("1٢٣٤٥٦٧٨٩")]
    [InlineData("")]
    public void TryParseDigits_should_refuse_anything_else(string digits)
    {
        Assert.False(E164Number.TryParseDigits(digits, out var number));
        Assert.Equal(default, number);
    }

    [Fact]
    public void TryParseDigits_should_refuse_null()
    {
        Assert.False(E164Number.TryParseDigits(null, out var number));
        Assert.Equal(default, number);
    }

    [Theory]
    [InlineData("+19465559040")]
    [InlineData("+12345678")]
    [InlineData("+123456789012345")]
    public void TryParseDigits_should_read_back_what_Digits_writes(string value)
    {
        var number = E164Number.Parse(value);
        Assert.True(E164Number.TryParseDigits(number.Digits, out var back));
        Assert.Equal(number, back);
    }

    [Theory]
    [InlineData("19465559040")]
    [InlineData("+09465559040")]
    [InlineData("+1234567")]
    [InlineData("+1234567890123456")]
    [InlineData("+١٢٣٤٥٦٧٨٩")]
    [InlineData("")]
    [InlineData("+")]
    public void Parse_should_throw_a_FormatException_on_an_invalid_number(string text)
    {
        var error = Assert.Throws<FormatException>(() => E164Number.Parse(text));
        Assert.Contains("E.164", error.Message);
    }

    [Fact]
    public void Parse_should_return_the_number_TryParse_finds()
    {
        Assert.True(E164Number.TryParse("+19465559040", out var parsed));
        Assert.Equal(parsed, E164Number.Parse("+19465559040"));
    }

    [Fact]
    public void Two_numbers_with_the_same_text_should_be_equal_so_they_can_key_an_index()
    {
        var a = E164Number.Parse("+19465559040");
        var b = E164Number.Parse("+19465559040");
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, E164Number.Parse("+19465559041"));
    }
}
