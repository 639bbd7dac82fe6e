using Microsoft.Net.Http.Headers;

namespace Gateway.Host.Auth;

/// <summary>Reads an <c>Authorization: Bearer &lt;token&gt;</c> header (RFC 6750 §2.1; the scheme name is case-insensitive).</summary>
public static class BearerToken
{
    public static bool TryRead(HttpRequest request, out string token)
    {
        token = "";
        var values = request.Headers[HeaderNames.Authorization];
        if (values.Count != 1 || values[0] is not { } header)
            return false;
        var space = header.IndexOf(' ');
        if (space <= 0 || !header.AsSpan(0, space).Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            return false;
        var value = header.AsSpan(space + 1).Trim(' ');
        if (value.IsEmpty || value.ContainsAny(' ', '\t'))
            return false;
        token = value.ToString();
        return true;
    }
}
