using System.Diagnostics.CodeAnalysis;
using Gateway.Domain.Errors;

namespace Gateway.Domain.Addressing;

/// <summary>
/// The <c>from</c> of a termination (partner -> handset): an E.164 number, a short code or an
/// alphanumeric sender. The forms cannot overlap: E.164 starts with <c>+</c>, a short code is only
/// digits, an alphanumeric sender starts with a letter.
/// </summary>
public readonly record struct SenderAddress
{
    /// <summary>What the error message of <see cref="Validate"/> says is allowed.</summary>
    public const string Description =
        "an E.164 number ('+' then 8 to 15 digits, the first one 1-9, e.g. +19465559040), " +
        "a short code (5 or 6 digits) or an alphanumeric sender (1 to 11 ASCII letters, digits and spaces, starting with a letter)";

    public SenderAddress(E164Number number) : this(AddressKind.E164, number.Value) { }

    public SenderAddress(ShortCode code) : this(AddressKind.ShortCode, code.Value) { }

    public SenderAddress(AlphanumericSender sender) : this(AddressKind.Alphanumeric, sender.Value) { }

    private SenderAddress(AddressKind kind, string value)
    {
        Kind = kind;
        Value = value;
    }

    public AddressKind Kind { get; }

    /// <summary>The address as the partner wrote it (E.164 with its <c>+</c>).</summary>
    public string Value { get; }

    /// <summary>The form used by Message Copy and the MMS API v2: E.164 without its <c>+</c>; other kinds unchanged.</summary>
    public string WithoutPlus => Kind == AddressKind.E164 ? Value[1..] : Value;

    /// <summary>Tries E.164, then short code, then alphanumeric sender.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out SenderAddress address)
    {
        if (E164Number.TryParse(text, out var number))
            address = new SenderAddress(number);
        else if (ShortCode.TryParse(text, out var code))
            address = new SenderAddress(code);
        else if (AlphanumericSender.TryParse(text, out var sender))
            address = new SenderAddress(sender);
        else
        {
            address = default;
            return false;
        }
        return true;
    }

    /// <summary>Parses an address known to be valid (stored data); throws on anything else.</summary>
    public static SenderAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not {Description}.");

    /// <summary>
    /// The address in the request field <paramref name="field"/>, or <c>missing_field</c> when it is
    /// absent, or <c>invalid_address</c> naming the allowed forms.
    /// </summary>
    public static Result<SenderAddress> Validate(string field, string? text)
    {
        if (text is null)
            return DomainError.Invalid(ErrorCodes.MissingField, $"Field '{field}' is required.");
        return TryParse(text, out var address)
            ? address
            : DomainError.Invalid(ErrorCodes.InvalidAddress, $"Field '{field}' must be {Description}.");
    }

    public override string ToString() => Value;
}
