using System.Text;
using Akka.Configuration;

namespace Gateway.Engine.Configuration;

/// <summary>How the text of an environment variable is checked and written into HOCON.</summary>
public enum SettingKind
{
    Text,
    Duration,
    PositiveInteger,
    Port,
    CommaSeparatedList,
}

/// <summary>One documented environment variable and the HOCON path it overrides.</summary>
public sealed record EnvironmentOverride(string Variable, string Path, SettingKind Kind);

/// <summary>
/// The one table that maps the documented <c>GATEWAY_*</c> environment variables onto their HOCON
/// paths. Akka.NET's HOCON parser does not expand <c>${?VAR}</c>, so the host turns the variables
/// that are set into a HOCON block that takes precedence over the files in <c>hocon/</c>.
/// </summary>
public static class EnvironmentOverrides
{
    public static readonly IReadOnlyList<EnvironmentOverride> Table =
    [
        new("GATEWAY_URLS", "gateway.http.urls", SettingKind.Text),
        new("GATEWAY_ADMIN_TOKEN", "gateway.admin.token", SettingKind.Text),
        new("GATEWAY_DATA_DIR", "gateway.data-dir", SettingKind.Text),
        new("GATEWAY_STORAGE", "gateway.storage.backend", SettingKind.Text),
        new("GATEWAY_POSTGRES", "gateway.storage.postgres.connection-string", SettingKind.Text),
        new("GATEWAY_RETRY_INTERVAL", "gateway.delivery.retry-interval", SettingKind.Duration),
        new("GATEWAY_MESSAGE_TTL", "gateway.delivery.message-ttl", SettingKind.Duration),
        new("GATEWAY_REQUEST_TIMEOUT", "gateway.webhooks.request-timeout", SettingKind.Duration),
        new("GATEWAY_EGRESS_RATE", "gateway.delivery.egress-rate", SettingKind.PositiveInteger),
        new("GATEWAY_INGRESS_RATE", "gateway.partner-api.ingress-rate", SettingKind.PositiveInteger),
        new("GATEWAY_COPY_INTERVAL", "gateway.message-copy.interval", SettingKind.Duration),
        new("GATEWAY_COPY_BATCH", "gateway.message-copy.batch-size", SettingKind.PositiveInteger),
        new("GATEWAY_REASSEMBLY_TIMEOUT", "gateway.network.reassembly-timeout", SettingKind.Duration),
        new("GATEWAY_CLUSTER_HOST", "gateway.cluster.host", SettingKind.Text),
        new("GATEWAY_CLUSTER_PORT", "gateway.cluster.port", SettingKind.Port),
        new("GATEWAY_SEED_NODES", "gateway.cluster.seed-nodes", SettingKind.CommaSeparatedList),
    ];

    /// <summary>
    /// The HOCON for every variable in <see cref="Table"/> that <paramref name="lookup"/> returns a
    /// non-empty value for. A value of the wrong form fails here, naming the variable.
    /// </summary>
    public static Config ToHocon(Func<string, string?> lookup)
    {
        var hocon = new StringBuilder();
        foreach (var entry in Table)
        {
            var value = lookup(entry.Variable);
            if (string.IsNullOrWhiteSpace(value))
                continue;
            hocon.Append(entry.Path).Append(" = ").AppendLine(Render(entry, value.Trim()));
        }
        return hocon.Length == 0 ? Config.Empty : ConfigurationFactory.ParseString(hocon.ToString());
    }

    private static string Render(EnvironmentOverride entry, string value)
    {
        switch (entry.Kind)
        {
            case SettingKind.Text:
                return Quote(value);
            case SettingKind.Duration:
                if (!IsDuration(value))
                    throw Invalid(entry, value, "a duration such as 500ms, 30s, 4m or 7d");
                return Quote(value);
            case SettingKind.PositiveInteger:
                if (!int.TryParse(value, System.Globalization.NumberStyles.None, null, out var number) || number <= 0)
                    throw Invalid(entry, value, "a whole number above 0");
                return value;
            case SettingKind.Port:
                if (!int.TryParse(value, System.Globalization.NumberStyles.None, null, out var port) || port > 65535)
                    throw Invalid(entry, value, "a TCP port from 0 to 65535");
                return value;
            case SettingKind.CommaSeparatedList:
                var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return "[" + string.Join(", ", items.Select(Quote)) + "]";
            default:
                throw new ArgumentOutOfRangeException(nameof(entry), entry.Kind, null);
        }
    }

    private static bool IsDuration(string value)
    {
        if (!char.IsAsciiDigit(value[0]))
            return false;
        try
        {
            var parsed = ConfigurationFactory.ParseString("d = " + Quote(value)).GetTimeSpan("d", null, allowInfinite: false);
            return parsed > TimeSpan.Zero;
        }
        catch (Exception e) when (e is ConfigurationException or FormatException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>A HOCON quoted string; backslashes and quotes escaped, so connection strings pass unchanged.</summary>
    public static string Quote(string value)
    {
        var escaped = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': escaped.Append("\\\""); break;
                case '\\': escaped.Append("\\\\"); break;
                case '\n': escaped.Append("\\n"); break;
                case '\r': escaped.Append("\\r"); break;
                case '\t': escaped.Append("\\t"); break;
                default: escaped.Append(c); break;
            }
        }
        return escaped.Append('"').ToString();
    }

    private static GatewayConfigurationException Invalid(EnvironmentOverride entry, string value, string expected) =>
        new($"{entry.Variable} must be {expected}; got '{value}'.");
}

/// <summary>A setting that cannot be used; the node refuses to start and says which one.</summary>
public sealed class GatewayConfigurationException(string message) : Exception(message);
