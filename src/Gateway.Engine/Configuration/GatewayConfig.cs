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
        var layers = new List<Config>();
        if (!string.IsNullOrWhiteSpace(extraHocon))
            layers.Add(ConfigurationFactory.ParseString(extraHocon));
        if (EnvironmentOverrides.ToHocon(environment) is { IsEmpty: false } overrides)
            layers.Add(overrides);
        layers.Add(ReadFile(hoconDirectory, BaseFile));
        var backend = StorageSettings.ParseBackend(Merge(layers).GetString("gateway.storage.backend"));
        layers.Add(ReadFile(hoconDirectory, $"storage-{backend.ToString().ToLowerInvariant()}.hocon"));
        layers.Add(ReadFile(hoconDirectory, ClusterFile));
        return Merge(layers);
    }

    private static Config Merge(List<Config> layers) =>
        layers.Skip(1).Aggregate(layers[0], (merged, next) => merged.WithFallback(next));

    private static Config ReadFile(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        if (!File.Exists(path))
            throw new GatewayConfigurationException($"Configuration file '{path}' is missing.");
        return ConfigurationFactory.ParseString(File.ReadAllText(path));
    }
}
