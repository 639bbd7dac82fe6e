using System.Diagnostics.CodeAnalysis;
using Gateway.Domain.Errors;

namespace Gateway.Domain.Addressing;

/// <summary>
/// The <c>to</c> of an origination (handset -> partner): an E.164 number or a short code. The seed
/// allows no alphanumeric recipient: a handset cannot address one.
/// </summary>
public readonly record struct RecipientAddress
{
    /// <summary>What the error message of <see cref="Validate"/> says is allowed.</summary>
    public const string Description =
        "an E.164 number ('+' then 8 to 15 digits, the first one 1-9, e.g. +19465559040) or a short code (5 or 6 digits)";

    public RecipientAddress(E164Number number) : this(AddressKind.E164, number.Value) { }

    public RecipientAddress(ShortCode code) : this(AddressKind.ShortCode, code.Value) { }

    private RecipientAddress(AddressKind kind, string value)
    {
        Kind = kind;
        Value = value;
    }

    /// <summary><see cref="AddressKind.E164"/> or <see cref="AddressKind.ShortCode"/>.</summary>
    public AddressKind Kind { get; }

    /// <summary>The address as written (E.164 with its <c>+</c>).</summary>
    public string Value { get; }

    /// <summary>The form used by Message Copy and the MMS API v2: E.164 without its <c>+</c>; a short code unchanged.</summary>
    public string WithoutPlus => Kind == AddressKind.E164 ? Value[1..] : Value;

    /// <summary>Tries E.164, then short code.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out RecipientAddress address)
    {
        if (E164Number.TryParse(text, out var number))
            address = new RecipientAddress(number);
        else if (ShortCode.TryParse(text, out var code))
            address = new RecipientAddress(code);
        else
        {
            address = default;
            return false;
        }
        return true;
    }

    /// <summary>Parses an address known to be valid (stored data); throws on anything else.</summary>
    public static RecipientAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not {Description}.");

    /// <summary>
    /// The address in the field <paramref name="field"/>, or <c>missing_field</c> when it is absent,
    /// or <c>invalid_address</c> naming the allowed forms.
    /// </summary>
    public static Result<RecipientAddress> Validate(string field, string? text)
    {
        if (text is null)
            return DomainError.Invalid(ErrorCodes.MissingField, $"Field '{field}' is required.");
        return TryParse(text, out var address)
            ? address
            : DomainError.Invalid(ErrorCodes.InvalidAddress, $"Field '{field}' must be {Description}.");
    }

    public override string ToString() => Value;
}
