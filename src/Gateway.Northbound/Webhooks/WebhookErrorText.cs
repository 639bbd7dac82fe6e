using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Gateway.Northbound.Webhooks;

/// <summary>
/// The words of a webhook failure as operators see it in <c>lastError</c>: which URL (its origin only,
/// <c>scheme://host[:port]</c>, because a path or query may carry a partner's own secret) and what
/// happened (the status with its standard reason phrase, or the kind of network failure). Never the
/// bearer token, never the partner's response body or reason phrase (text the partner controls).
/// </summary>
internal static class WebhookErrorText
{
    /// <summary><c>https://p1.example</c>, <c>http://10.0.0.5:8080</c>: the URL without path, query or credentials.</summary>
    public static string Origin(Uri url) => url.GetLeftPart(UriPartial.Authority);

    /// <summary><c>10s</c>, <c>300ms</c>, <c>1.5s</c>.</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration.Ticks % TimeSpan.TicksPerSecond == 0)
            return ((long)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
        if (duration.Ticks % TimeSpan.TicksPerMillisecond == 0 && duration < TimeSpan.FromSeconds(1))
            return ((long)duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        return duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
    }

    /// <summary><c>503 Service Unavailable</c>; for a redirect also where it points and that it was not followed.</summary>
    public static string Status(int status, HttpResponseHeaders headers)
    {
        var text = ReasonPhrase(status) is { } phrase
            ? $"{status.ToString(CultureInfo.InvariantCulture)} {phrase}"
            : status.ToString(CultureInfo.InvariantCulture);
        if (status is >= 300 and < 400)
        {
            var location = headers.Location is { IsAbsoluteUri: true } target && (target.Scheme == Uri.UriSchemeHttp || target.Scheme == Uri.UriSchemeHttps)
                ? $" to {Origin(target)}"
                : "";
            return $"{text}{location} (redirects are not followed)";
        }
        if (status is < 200 or >= 600)
            return $"{text} (not a valid final HTTP status)";
        return text;
    }

    /// <summary>The kind of a network failure: <c>connection refused</c>, <c>TLS handshake failed</c>, ...</summary>
    public static string Failure(Exception exception) => exception switch
    {
        HttpRequestException http => http.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "name resolution failed",
            HttpRequestError.ConnectionError => Socket(Find<SocketException>(http)) ?? "connection failed",
            HttpRequestError.SecureConnectionError => "TLS handshake failed",
            HttpRequestError.HttpProtocolError => "HTTP protocol error",
            HttpRequestError.ResponseEnded => "connection closed before a response",
            HttpRequestError.InvalidResponse => "invalid HTTP response",
            HttpRequestError.ConfigurationLimitExceeded => "response headers too large",
            HttpRequestError.ProxyTunnelError => "proxy tunnel failed",
            HttpRequestError.UserAuthenticationError => "proxy authentication failed",
            HttpRequestError.VersionNegotiationError or HttpRequestError.ExtendedConnectNotSupported => "HTTP version negotiation failed",
            _ => Socket(Find<SocketException>(http)) ?? (Find<IOException>(http) is not null ? "connection error (I/O)" : "connection error"),
        },
        SocketException socket => Socket(socket)!,
        IOException io => Socket(Find<SocketException>(io)) ?? "connection error (I/O)",
        _ => "connection error",
    };

    private static string? Socket(SocketException? socket) => socket?.SocketErrorCode switch
    {
        null => null,
        SocketError.ConnectionRefused => "connection refused",
        SocketError.ConnectionReset => "connection reset",
        SocketError.ConnectionAborted => "connection aborted",
        SocketError.TimedOut => "connect timed out",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "name resolution failed",
        var code => $"connection error ({code})",
    };

    private static T? Find<T>(Exception exception) where T : Exception
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is T found)
                return found;
        }
        return null;
    }

    private static string? ReasonPhrase(int status) => status switch
    {
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        _ => null,
    };
}
