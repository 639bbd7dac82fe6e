using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Gateway.Domain.Addressing;
using Gateway.Domain.Errors;

namespace Gateway.Domain.Tests.Addressing;

public class RecipientAddressSpecs
{
    [Theory]
    [InlineData("+19465559040", AddressKind.E164)]
    [InlineData("+12345678", AddressKind.E164)]
    [InlineData("+123456789012345", AddressKind.E164)]
    [InlineData("12345", AddressKind.ShortCode)]
    [InlineData("123456", AddressKind.ShortCode)]
    public void TryParse_should_accept_an_e164_number_or_a_short_code(string text, AddressKind kind)
    {
        Assert.True(RecipientAddress.TryParse(text, out var address));
        Assert.Equal(kind, address.Kind);
        Assert.Equal(text, address.Value);
        Assert.Equal(text, address.ToString());
    }

    [Theory]
    [InlineData("Acme")]              // a handset cannot address an alphanumeric sender
    [InlineData("A")]
    [InlineData("1234")]
    [InlineData("1234567")]
    [InlineData("19465559040")]       // E.164 without its '+'
    [InlineData("+1234567")]
    [InlineData("+09465559040")]
    [InlineData("+12345")]
    [InlineData("")]
    [InlineData(" 12345")]
    public void TryParse_should_refuse_anything_else(string text)
    {
        Assert.False(RecipientAddress.TryParse(text, out var address));
        Assert.Equal(default, address);
    }

    [Fact]
    public void TryParse_should_refuse_null()
    {
        Assert.False(RecipientAddress.TryParse(null, out _));
    }

    [Theory]
    [InlineData("+19465559040", "19465559040")]
    [InlineData("12345", "12345")]
    public void WithoutPlus_should_drop_the_plus_of_an_e164_number_and_leave_a_short_code_unchanged(string text, string withoutPlus)
    {
        Assert.Equal(withoutPlus, RecipientAddress.Parse(text).WithoutPlus);
    }

    [Fact]
    public void The_constructors_should_give_the_kind_of_their_argument()
    {
        Assert.Equal(RecipientAddress.Parse("+19465559040"), new RecipientAddress(E164Number.Parse("+19465559040")));
        Assert.Equal(RecipientAddress.Parse("12345"), new RecipientAddress(ShortCode.Parse("12345")));
    }

    [Theory]
    [InlineData("+19465559040")]
    [InlineData("73223")]
    public void Validate_should_return_the_address(string text)
    {
        var result = RecipientAddress.Validate("to", text);

        Assert.True(result.IsOk);
        Assert.Equal(RecipientAddress.Parse(text), result.Value);
    }

    [Theory]
    [InlineData("Acme")]
    [InlineData("1234")]
    [InlineData("")]
    public void Validate_should_refuse_an_invalid_address_with_invalid_address_naming_the_field_and_the_allowed_forms(string text)
    {
        var result = RecipientAddress.Validate("to", text);

        Assert.False(result.IsOk);
        Assert.Equal(ErrorKind.Invalid, result.Error.Kind);
        Assert.Equal(ErrorCodes.InvalidAddress, result.Error.Code);
        Assert.Contains("'to'", result.Error.Message);
        Assert.Contains("E.164", result.Error.Message);
        Assert.Contains("short code (5 or 6 digits)", result.Error.Message);
        Assert.DoesNotContain("alphanumeric", result.Error.Message);
    }

    [Fact]
    public void Validate_should_refuse_a_missing_address_with_missing_field()
    {
        var result = RecipientAddress.Validate("to", null);

        Assert.False(result.IsOk);
        Assert.Equal(ErrorCodes.MissingField, result.Error.Code);
    }

    [Fact]
    public void Parse_should_throw_a_FormatException_on_an_invalid_address()
    {
        Assert.Throws<FormatException>(() => RecipientAddress.Parse("Acme"));
    }

    private static readonly Regex ContractRule = new(@"^(\+[1-9][0-9]{7,14}|[0-9]{5,6})\z", RegexOptions.CultureInvariant);

    // A head that picks a form, then a body mostly of digits.
    private static readonly Gen<string> NearMisses =
        from head in Gen.Elements("+", "", "0", "A", " ")
        from body in Gen.Frequency(
            (8, Gen.Elements("0", "1", "5", "9")),
            (1, Gen.Elements("+", "A", " ", "\n", "٣", "１"))).ListOf()
        select head + string.Concat(body.Take(16));

    [Property(MaxTest = 2000)]
    public Property TryParse_should_accept_exactly_what_the_contract_rule_accepts() =>
        Prop.ForAll(NearMisses.ToArbitrary(), text =>
            Assert.Equal(ContractRule.IsMatch(text), RecipientAddress.TryParse(text, out _)));
}
