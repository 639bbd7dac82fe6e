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
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) ||
            string.IsNullOrEmpty(uri.Host))
        {
            problem = "must be an absolute http or https URL";
            return false;
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
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

    /// <summary>Parses a URL known to be valid (stored data); throws on anything else.</summary>
    public static HttpUrl Parse(string text) =>
        TryParse(text, out var url, out var problem) ? url : throw new FormatException($"URL {problem}.");

    public override string ToString() => Uri.OriginalString;
}
