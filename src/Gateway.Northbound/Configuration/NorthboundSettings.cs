using Akka.Configuration;
using Gateway.Engine.Configuration;

namespace Gateway.Northbound.Configuration;

/// <summary>Partner webhook calls (<c>gateway.webhooks</c>).</summary>
public sealed record WebhookSettings(TimeSpan RequestTimeout)
{
    public static WebhookSettings FromConfig(Config config) =>
        new(ConfigReader.PositiveDuration(config.GetConfig("gateway.webhooks"), "request-timeout"));
}

/// <summary>Message Copy offload to recording servers (<c>gateway.message-copy</c>).</summary>
public sealed record MessageCopySettings(TimeSpan Interval, int BatchSize)
{
    public static MessageCopySettings FromConfig(Config config)
    {
        var section = config.GetConfig("gateway.message-copy");
        return new(ConfigReader.PositiveDuration(section, "interval"), ConfigReader.PositiveInt(section, "batch-size"));
    }
}
