using System.Globalization;

namespace Gateway.Domain.Messaging;

/// <summary>The contract's time format: ISO-8601 UTC with milliseconds (<c>2026-01-02T03:04:05.678Z</c>).</summary>
public static class Timestamps
{
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string ToContract(DateTimeOffset time) => time.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);
}
