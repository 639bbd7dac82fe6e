using System.Diagnostics.CodeAnalysis;

namespace Gateway.Domain.Messaging;

/// <summary>
/// A message's id: <c>msg_</c> and 32 lowercase hex digits of a version-7 UUID, so ids sort by creation
/// time. Given once, when the message is accepted, and kept through every redelivery.
/// </summary>
public readonly record struct MessageId
{
    private const string Prefix = "msg_";
    private const int HexDigits = 32;

    private MessageId(string value) => Value = value;

    public string Value { get; }

    public static MessageId New(DateTimeOffset now) => new(Prefix + Guid.CreateVersion7(now).ToString("N"));

    public static bool TryParse([NotNullWhen(true)] string? text, out MessageId id)
    {
        id = default;
        if (text is null || text.Length != Prefix.Length + HexDigits || !text.StartsWith(Prefix, StringComparison.Ordinal))
            return false;
        foreach (var c in text.AsSpan(Prefix.Length))
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
                return false;
        }
        id = new MessageId(text);
        return true;
    }

    public static MessageId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"'{text}' is not a message id.");

    public override string ToString() => Value;
}
