using System.Diagnostics.CodeAnalysis;

namespace Gateway.Domain.Addressing;

/// <summary>
/// An absolute <c>http</c> or <c>https</c> URL that the gateway POSTs to (a partner webhook, a
/// recording server). Plain http is allowed because partners on private networks use it.
/// Credentials in the URL are refused: they would end up in logs; tokens travel in the
/// Authorization header instead.
/// </summary>
public readonly record struct HttpUrl
{
    public const int MaxLength = 2048;

    private HttpUrl(Uri uri) => Uri = uri;

    public Uri Uri { get; }

    public static bool TryParse([NotNullWhen(true)] string? text, out HttpUrl url, out string problem)
    {
        url = default;
        problem = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "must be a non-empty absolute http or https URL";
            return false;
        }
        if (text.Length > MaxLength)
        {
            problem = $"must be at most {MaxLength} characters long";
            return false;
        }
        if (text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            problem = "must not contain spaces or control characters (percent-encode them)";
            return false;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) ||
            string.IsNullOrEmpty(uri.Host))
        {
            problem = "must be an absolute http or https URL";
            return false;
        }
        if (!string.IsNullOrEmpty(uri.UserInfo) || Authority(text).Contains('@'))
        {
            problem = "must not carry credentials (user:password@); the gateway sends its token in the Authorization header";
            return false;
        }
        if (!string.IsNullOrEmpty(uri.Fragment))
        {
            problem = "must not have a #fragment";
            return false;
        }
        url = new HttpUrl(uri);
        return true;
    }

    // The text between "scheme://" and the path: Uri hides an empty user part ("https://@host/").
    private static string Authority(string text)
    {
        var start = text.IndexOf("://", StringComparison.Ordinal) + 3;
        var end = text.IndexOfAny(['/', '?', '#'], start);
        return end < 0 ? text[start..] : text[start..end];
    }

    /// <summary>Two URLs are the same setting only when their text is the same (Uri equality ignores case and default ports).</summary>
    public bool Equals(HttpUrl other) => string.Equals(Uri?.OriginalString, other.Uri?.OriginalString, StringComparison.Ordinal);

    public override int GetHashCode() => Uri?.OriginalString.GetHashCode(StringComparison.Ordinal) ?? 0;

    /// <summary>Parses a URL known to be valid (stored data); throws on anything else.</summary>
    public static HttpUrl Parse(string text) =>
        TryParse(text, out var url, out var problem) ? url : throw new FormatException($"URL {problem}.");

    public override string ToString() => Uri.OriginalString;
}
