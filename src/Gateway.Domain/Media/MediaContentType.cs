using System.Diagnostics.CodeAnalysis;
using Gateway.Domain.Errors;

namespace Gateway.Domain.Media;

/// <summary>
/// A media item's <c>contentType</c>: one of <see cref="MediaContentTypes.Supported"/>, its type and
/// subtype in any case, optionally with parameters (<c>text/plain; charset=utf-8</c>).
/// </summary>
public readonly record struct MediaContentType
{
    /// <summary>Longer values are refused before parsing; no supported type with sane parameters comes close.</summary>
    public const int MaxLength = 256;

    private MediaContentType(string mimeType, string value)
    {
        MimeType = mimeType;
        Value = value;
    }

    /// <summary>The lowercase <c>type/subtype</c> without parameters (<c>image/png</c>).</summary>
    public string MimeType { get; }

    /// <summary>The value exactly as given, parameters included.</summary>
    public string Value { get; }

    /// <summary>
    /// Parses <paramref name="text"/> with MIME (RFC 2045) syntax and accepts it when its type is supported.
    /// Only printable ASCII is accepted: a CR, LF or other control character could break the MIME
    /// header this value is later copied into.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out MediaContentType contentType)
    {
        contentType = default;
        if (text is null || text.Length is 0 or > MaxLength)
            return false;
        foreach (var c in text)
        {
            if (c is < ' ' or > '~')
                return false;
        }
        if (!MimeKit.ContentType.TryParse(text, out var parsed))
            return false;
        var mimeType = parsed.MimeType.ToLowerInvariant();
        if (!MediaContentTypes.IsSupported(mimeType))
            return false;
        contentType = new MediaContentType(mimeType, text);
        return true;
    }

    /// <summary>Parses a content type known to be valid (stored data); throws on anything else.</summary>
    public static MediaContentType Parse(string text) =>
        TryParse(text, out var contentType) ? contentType : throw new FormatException($"'{text}' is not a supported MMS content type.");

    /// <summary>
    /// The content type in the field <paramref name="field"/>, or <c>missing_field</c> when it is absent,
    /// or <c>unsupported_content_type</c> (415) listing the supported types.
    /// </summary>
    public static Result<MediaContentType> Validate(string field, string? text)
    {
        if (text is null)
            return DomainError.Invalid(ErrorCodes.MissingField, $"Field '{field}' is required.");
        return TryParse(text, out var contentType)
            ? contentType
            : DomainError.UnsupportedType(ErrorCodes.UnsupportedContentType,
                $"Field '{field}' must be a supported MMS content type, optionally with parameters: {MediaContentTypes.Description}.");
    }

    public override string ToString() => Value;
}
