using System.Diagnostics.CodeAnalysis;

namespace Gateway.Domain.Addressing;

/// <summary>
/// An ITU-T E.164 number in its international form: <c>+</c>, then 8 to 15 digits, the first one 1-9
/// (<c>+19465559040</c>). The contract fixes the 8-digit minimum; E.164 itself caps the length at 15.
/// </summary>
public readonly record struct E164Number
{
    private E164Number(string value) => Value = value;

    /// <summary>The number with its leading <c>+</c>.</summary>
    public string Value { get; }

    /// <summary>The "without +" form used by Message Copy and the MMS API v2 (<c>19465559040</c>).</summary>
    public string Digits => Value[1..];

    public static bool TryParse([NotNullWhen(true)] string? text, out E164Number number)
    {
        number = default;
        if (text is null || text.Length is < 9 or > 16 || text[0] != '+' || text[1] is < '1' or > '9')
            return false;
        foreach (var c in text.AsSpan(2))
        {
            if (!char.IsAsciiDigit(c))
                return false;
        }
        number = new E164Number(text);
        return true;
    }

    /// <summary>
    /// Parses the "without +" form (<c>19465559040</c>: 8 to 15 digits, the first one 1-9) into the
    /// number with its <c>+</c>; the inverse of <see cref="Digits"/>.
    /// </summary>
    public static bool TryParseDigits([NotNullWhen(true)] string? digits, out E164Number number)
    {
        number = default;
        if (digits is null || digits.Length is < 8 or > 15 || digits[0] is < '1' or > '9')
            return false;
        foreach (var c in digits.AsSpan(1))
        {
            if (!char.IsAsciiDigit(c))
                return false;
        }
        number = new E164Number("+" + digits);
        return true;
    }

    /// <summary>Parses a number known to be valid (stored data); throws on anything else.</summary>
    public static E164Number Parse(string text) =>
        TryParse(text, out var number) ? number : throw new FormatException($"'{text}' is not an E.164 number.");

    public override string ToString() => Value;
}
