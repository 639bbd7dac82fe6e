using Akka.Configuration;

namespace Gateway.Engine.Configuration;

/// <summary>Reads checked values from a HOCON section; a bad value stops the node with a clear message.</summary>
public static class ConfigReader
{
    public static string Required(Config config, string path)
    {
        var value = config.GetString(path, null);
        if (string.IsNullOrWhiteSpace(value))
            throw new GatewayConfigurationException($"Setting '{path}' must not be empty.");
        return value;
    }

    public static TimeSpan PositiveDuration(Config config, string path)
    {
        var value = config.GetTimeSpan(path, null, allowInfinite: false);
        if (value <= TimeSpan.Zero)
            throw new GatewayConfigurationException($"Setting '{path}' must be a duration above zero.");
        return value;
    }

    public static TimeSpan NonNegativeDuration(Config config, string path)
    {
        TimeSpan value;
        try
        {
            value = config.GetTimeSpan(path, null, allowInfinite: false);
        }
        catch (FormatException)
        {
            value = TimeSpan.MinValue;
        }
        if (value < TimeSpan.Zero)
            throw new GatewayConfigurationException($"Setting '{path}' must be a duration of zero or more (e.g. 0ms, 2ms).");
        return value;
    }

    /// <summary>A number above 0 and at most 1.</summary>
    public static double Fraction(Config config, string path)
    {
        var value = config.GetDouble(path);
        if (!(value > 0 && value <= 1))
            throw new GatewayConfigurationException($"Setting '{path}' must be above 0 and at most 1 (e.g. 0.1).");
        return value;
    }

    public static int PositiveInt(Config config, string path)
    {
        var value = config.GetInt(path);
        if (value <= 0)
            throw new GatewayConfigurationException($"Setting '{path}' must be above zero.");
        return value;
    }

    public static long PositiveByteSize(Config config, string path)
    {
        var value = config.GetByteSize(path);
        if (value is null or <= 0)
            throw new GatewayConfigurationException($"Setting '{path}' must be a size above zero (e.g. 1MiB).");
        return value.Value;
    }
}
