using Akka.Configuration;
using Gateway.Engine.Configuration;

namespace Gateway.Northbound.Configuration;

/// <summary>Partner webhook calls (<c>gateway.webhooks</c>).</summary>
/// <param name="RequestTimeout">One request to one partner URL, from when it is sent.</param>
/// <param name="MaxRequestsPerPartner">Attempts under way at once towards one partner (per node); more wait for a slot.</param>
public sealed record WebhookSettings(TimeSpan RequestTimeout, int MaxRequestsPerPartner = 1024)
{
    public static WebhookSettings FromConfig(Config config)
    {
        var section = config.GetConfig("gateway.webhooks");
        return new(
            ConfigReader.PositiveDuration(section, "request-timeout"),
            ConfigReader.PositiveInt(section, "max-requests-per-partner"));
    }
}

/// <summary>Message Copy offload to recording servers (<c>gateway.message-copy</c>).</summary>
/// <param name="Interval">Between the starts of two cycles of one recording server.</param>
/// <param name="BatchSize">Copies posted per cycle and recording server, one at a time.</param>
/// <param name="RequestTimeout">One POST to a recording server; a timeout is a failure.</param>
/// <param name="RefreshInterval">How often the offload reads the backlog (for the metrics) and the provisioned recording servers.</param>
public sealed record MessageCopySettings(TimeSpan Interval, int BatchSize, TimeSpan RequestTimeout, TimeSpan RefreshInterval)
{
    public static MessageCopySettings FromConfig(Config config)
    {
        var section = config.GetConfig("gateway.message-copy");
        return new(
            ConfigReader.PositiveDuration(section, "interval"),
            ConfigReader.PositiveInt(section, "batch-size"),
            ConfigReader.PositiveDuration(section, "request-timeout"),
            ConfigReader.PositiveDuration(section, "refresh-interval"));
    }
}
