using Akka.Configuration;

namespace Gateway.Engine.Configuration;

/// <summary>
/// Loads the node's configuration: <c>hocon/gateway.hocon</c>, the storage file of the chosen
/// backend (<c>storage-sqlite.hocon</c> or <c>storage-postgres.hocon</c>) and <c>cluster.hocon</c>,
/// under the environment overrides (<see cref="EnvironmentOverrides"/>), under any extra HOCON a
/// test passes. Highest precedence first: extra, environment, files.
/// </summary>
public static class GatewayConfig
{
    public const string BaseFile = "gateway.hocon";
    public const string ClusterFile = "cluster.hocon";

    /// <summary>The <c>hocon/</c> folder shipped next to the gateway's binaries.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "hocon");

    public static Config Load(string hoconDirectory, Func<string, string?> environment, string? extraHocon = null)
    {
        var top = string.IsNullOrWhiteSpace(extraHocon) ? Config.Empty : ConfigurationFactory.ParseString(extraHocon);
        var gateway = top
            .WithFallback(EnvironmentOverrides.ToHocon(environment))
            .WithFallback(ReadFile(hoconDirectory, BaseFile));
        var backend = StorageSettings.ParseBackend(gateway.GetString("gateway.storage.backend"));
        return gateway
            .WithFallback(ReadFile(hoconDirectory, $"storage-{backend.ToString().ToLowerInvariant()}.hocon"))
            .WithFallback(ReadFile(hoconDirectory, ClusterFile));
    }

    private static Config ReadFile(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        if (!File.Exists(path))
            throw new GatewayConfigurationException($"Configuration file '{path}' is missing.");
        return ConfigurationFactory.ParseString(File.ReadAllText(path));
    }
}
