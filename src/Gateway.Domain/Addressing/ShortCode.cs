using System.Diagnostics.CodeAnalysis;

namespace Gateway.Domain.Addressing;

/// <summary>
/// An SMS short code: 5 or 6 ASCII digits (<c>73223</c>). Any digit may lead, <c>0</c> included:
/// short codes are national numbers with no country code to protect.
/// </summary>
public readonly record struct ShortCode
{
    public const int MinLength = 5;
    public const int MaxLength = 6;

    private ShortCode(string value) => Value = value;

    public string Value { get; }

    public static bool TryParse([NotNullWhen(true)] string? text, out ShortCode code)
    {
        code = default;
        if (text is null || text.Length is < MinLength or > MaxLength)
            return false;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
                return false;
        }
        code = new ShortCode(text);
        return true;
    }

    /// <summary>Parses a short code known to be valid (stored data); throws on anything else.</summary>
    public static ShortCode Parse(string text) =>
        TryParse(text, out var code) ? code : throw new FormatException($"'{text}' is not a short code (5 or 6 digits).");

    public override string ToString() => Value;
}
