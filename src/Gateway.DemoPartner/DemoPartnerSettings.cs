namespace Gateway.DemoPartner;

/// <summary>How the demo partner runs; read from <c>DEMO_PARTNER_*</c> environment variables.</summary>
/// <param name="Urls">Where it listens (<c>;</c> or <c>,</c> separated).</param>
/// <param name="Token">The bearer the gateway must send (the partner's <c>securityToken</c>); none: any request is taken.</param>
/// <param name="Fail">Answer every webhook call <c>503</c>, so the gateway keeps the messages in store-and-forward.</param>
/// <param name="Keep">How many received messages <c>GET /received</c> shows; the oldest go first.</param>
public sealed record DemoPartnerSettings(IReadOnlyList<string> Urls, string? Token, bool Fail, int Keep = DemoPartnerSettings.DefaultKeep)
{
    public const string UrlsVariable = "DEMO_PARTNER_URLS";
    public const string TokenVariable = "DEMO_PARTNER_TOKEN";
    public const string FailVariable = "DEMO_PARTNER_FAIL";
    public const string DefaultUrls = "http://127.0.0.1:5090";
    public const int DefaultKeep = 1000;

    public static DemoPartnerSettings FromEnvironment(Func<string, string?> lookup)
    {
        var urls = (NonEmpty(lookup(UrlsVariable)) ?? DefaultUrls)
            .Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
                throw new DemoPartnerConfigurationException($"{UrlsVariable} must list http URLs such as {DefaultUrls}; got '{url}'.");
        }

        var fail = NonEmpty(lookup(FailVariable)) switch
        {
            null => false,
            var text when bool.TryParse(text, out var value) => value,
            var text => throw new DemoPartnerConfigurationException($"{FailVariable} must be true or false; got '{text}'."),
        };

        return new DemoPartnerSettings(urls, NonEmpty(lookup(TokenVariable)), fail);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

public sealed class DemoPartnerConfigurationException(string message) : Exception(message);
