using System.Diagnostics.CodeAnalysis;

namespace Gateway.Domain.Addressing;

/// <summary>
/// An alphanumeric sender name (<c>Acme Bank</c>): 1 to 11 characters of ASCII letters, ASCII digits
/// and spaces, the first one a letter. Only ASCII, because the handset receives it as a GSM 7-bit
/// coded TP-OA of at most 11 characters, and SMSCs accept only <c>[A-Za-z0-9 ]</c> there.
/// The text is kept exactly as given: nothing is trimmed, so trailing spaces are allowed and kept.
/// </summary>
public readonly record struct AlphanumericSender
{
    public const int MaxLength = 11;

    private AlphanumericSender(string value) => Value = value;

    public string Value { get; }

    public static bool TryParse([NotNullWhen(true)] string? text, out AlphanumericSender sender)
    {
        sender = default;
        if (text is null || text.Length is 0 or > MaxLength || !char.IsAsciiLetter(text[0]))
            return false;
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != ' ')
                return false;
        }
        sender = new AlphanumericSender(text);
        return true;
    }

    /// <summary>Parses a sender known to be valid (stored data); throws on anything else.</summary>
    public static AlphanumericSender Parse(string text) =>
        TryParse(text, out var sender)
            ? sender
            : throw new FormatException($"'{text}' is not an alphanumeric sender (1 to 11 ASCII letters, digits and spaces, starting with a letter).");

    public override string ToString() => Value;
}
