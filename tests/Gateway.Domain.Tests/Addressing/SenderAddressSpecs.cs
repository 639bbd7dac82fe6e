using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Gateway.Domain.Addressing;
using Gateway.Domain.Errors;

namespace Gateway.Domain.Tests.Addressing;

public class SenderAddressSpecs
{
    [Theory]
    [InlineData("+19465559040", AddressKind.E164)]
    [InlineData("+12345678", AddressKind.E164)]
    [InlineData("+123456789012345", AddressKind.E164)]
    [InlineData("12345", AddressKind.ShortCode)]
    [InlineData("123456", AddressKind.ShortCode)]
    [InlineData("00000", AddressKind.ShortCode)]
    [InlineData("A", AddressKind.Alphanumeric)]
    [InlineData("Acme Bank", AddressKind.Alphanumeric)]
    [InlineData("ACMEBANK123", AddressKind.Alphanumeric)]
    [InlineData("Acme ", AddressKind.Alphanumeric)]
    [InlineData("A1234567890", AddressKind.Alphanumeric)] // mostly digits, but it starts with a letter
    public void TryParse_should_accept_an_e164_number_a_short_code_or_an_alphanumeric_sender(string text, AddressKind kind)
    {
        Assert.True(SenderAddress.TryParse(text, out var address));
        Assert.Equal(kind, address.Kind);
        Assert.Equal(text, address.Value);
        Assert.Equal(text, address.ToString());
    }

    [Theory]
    [InlineData("1234")]              // digits only: 4 is no short code
    [InlineData("1234567")]           // 7 digits: no short code, and no '+' for E.164
    [InlineData("19465559040")]       // E.164 without its '+' is not accepted as a sender
    [InlineData("+1234567")]          // starts with '+' but too short for E.164
    [InlineData("+09465559040")]
    [InlineData("+Acme")]             // starts with '+': never an alphanumeric sender
    [InlineData("+12345")]            // '+' does not make a short code
    [InlineData("ACMEBANK1234")]      // 12 characters
    [InlineData("1Acme")]
    [InlineData(" Acme")]
    [InlineData("Acme-Bank")]
    [InlineData("Café")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("12345 ")]
    public void TryParse_should_refuse_anything_else(string text)
    {
        Assert.False(SenderAddress.TryParse(text, out var address));
        Assert.Equal(default, address);
    }

    [Fact]
    public void TryParse_should_refuse_null()
    {
        Assert.False(SenderAddress.TryParse(null, out _));
    }

    [Fact]
    public void The_default_address_should_have_no_valid_kind()
    {
        Assert.False(Enum.IsDefined(default(SenderAddress).Kind));
    }

    [Theory]
    [InlineData("+19465559040", "19465559040")]
    [InlineData("12345", "12345")]
    [InlineData("Acme Bank", "Acme Bank")]
    public void WithoutPlus_should_drop_the_plus_of_an_e164_number_and_leave_other_kinds_unchanged(string text, string withoutPlus)
    {
        Assert.Equal(withoutPlus, SenderAddress.Parse(text).WithoutPlus);
    }

    [Fact]
    public void The_constructors_should_give_the_kind_of_their_argument()
    {
        Assert.Equal(SenderAddress.Parse("+19465559040"), new SenderAddress(E164Number.Parse("+19465559040")));
        Assert.Equal(SenderAddress.Parse("12345"), new SenderAddress(ShortCode.Parse("12345")));
        Assert.Equal(SenderAddress.Parse("Acme"), new SenderAddress(AlphanumericSender.Parse("Acme")));
        Assert.Equal(AddressKind.ShortCode, new SenderAddress(ShortCode.Parse("12345")).Kind);
    }

    [Theory]
    [InlineData("+19465559040")]
    [InlineData("73223")]
    [InlineData("Acme Bank")]
    public void Validate_should_return_the_address(string text)
    {
        var result = SenderAddress.Validate("from", text);

        Assert.True(result.IsOk);
        Assert.Equal(SenderAddress.Parse(text), result.Value);
    }

    [Theory]
    [InlineData("1234")]
    [InlineData("+1234567")]
    [InlineData("Acme-Bank")]
    [InlineData("")]
    public void Validate_should_refuse_an_invalid_address_with_invalid_address_naming_the_field_and_the_allowed_forms(string text)
    {
        var result = SenderAddress.Validate("from", text);

        Assert.False(result.IsOk);
        Assert.Equal(ErrorKind.Invalid, result.Error.Kind);
        Assert.Equal(ErrorCodes.InvalidAddress, result.Error.Code);
        Assert.Contains("'from'", result.Error.Message);
        Assert.Contains("E.164", result.Error.Message);
        Assert.Contains("short code (5 or 6 digits)", result.Error.Message);
        Assert.Contains("alphanumeric sender (1 to 11", result.Error.Message);
    }

    [Fact]
    public void Validate_should_refuse_a_missing_address_with_missing_field()
    {
        var result = SenderAddress.Validate("from", null);

        Assert.False(result.IsOk);
        Assert.Equal(ErrorCodes.MissingField, result.Error.Code);
        Assert.Contains("'from'", result.Error.Message);
    }

    [Fact]
    public void Parse_should_throw_a_FormatException_on_an_invalid_address()
    {
        var error = Assert.Throws<FormatException>(() => SenderAddress.Parse("1234"));
        Assert.Contains("short code", error.Message);
    }

    [Fact]
    public void The_same_text_should_give_equal_addresses()
    {
        Assert.Equal(SenderAddress.Parse("Acme"), SenderAddress.Parse("Acme"));
        Assert.Equal(SenderAddress.Parse("Acme").GetHashCode(), SenderAddress.Parse("Acme").GetHashCode());
        Assert.NotEqual(SenderAddress.Parse("Acme"), SenderAddress.Parse("Acme "));
    }

    private static readonly Regex ContractRule = new(@"^(\+[1-9][0-9]{7,14}|[0-9]{5,6}|[A-Za-z][A-Za-z0-9 ]{0,10})\z", RegexOptions.CultureInvariant);

    // A head that picks a form, then a body mostly of the characters that form allows.
    private static readonly Gen<string> NearMisses =
        from head in Gen.Elements("+", "", "A", "z", " ", "0", "é")
        from body in Gen.Frequency(
            (4, Gen.Elements("0", "1", "5", "9")),
            (3, Gen.Elements("A", "b", "Z")),
            (2, Gen.Constant(" ")),
            (1, Gen.Elements("+", "-", "\n", "\t", "é", "٣", "１"))).ListOf()
        select head + string.Concat(body.Take(16));

    [Property(MaxTest = 2000)]
    public Property TryParse_should_accept_exactly_what_the_contract_rule_accepts() =>
        Prop.ForAll(NearMisses.ToArbitrary(), text =>
            Assert.Equal(ContractRule.IsMatch(text), SenderAddress.TryParse(text, out _)));
}
