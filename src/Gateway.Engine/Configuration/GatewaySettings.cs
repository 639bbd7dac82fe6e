using Akka.Configuration;

namespace Gateway.Engine.Configuration;

/// <summary>
/// Every <c>gateway.*</c> setting, read once from the loaded configuration and checked. Components
/// take the record they need; nothing reads HOCON paths on a hot path.
/// </summary>
public sealed record GatewaySettings(
    HttpSettings Http,
    AdminSettings Admin,
    string DataDirectory,
    StorageSettings Storage,
    DeliverySettings Delivery,
    PartnerApiSettings PartnerApi,
    ClusterSettings Cluster,
    ProvisioningSettings Provisioning,
    ReadinessSettings Readiness,
    ShutdownSettings Shutdown,
    MessageStatusSettings MessageStatus)
{
    public static GatewaySettings FromConfig(Config config)
    {
        var gateway = config.GetConfig("gateway")
                      ?? throw new GatewayConfigurationException("The configuration has no 'gateway' section.");
        var dataDirectory = Path.GetFullPath(ConfigReader.Required(gateway, "data-dir"));
        return new GatewaySettings(
            HttpSettings.FromConfig(gateway.GetConfig("http")),
            AdminSettings.FromConfig(gateway.GetConfig("admin")),
            dataDirectory,
            StorageSettings.FromConfig(gateway.GetConfig("storage"), dataDirectory),
            DeliverySettings.FromConfig(gateway.GetConfig("delivery")),
            PartnerApiSettings.FromConfig(gateway.GetConfig("partner-api")),
            ClusterSettings.FromConfig(gateway.GetConfig("cluster")),
            ProvisioningSettings.FromConfig(gateway.GetConfig("provisioning")),
            ReadinessSettings.FromConfig(gateway.GetConfig("readiness")),
            ShutdownSettings.FromConfig(gateway.GetConfig("shutdown")),
            MessageStatusSettings.FromConfig(gateway.GetConfig("message-status")));
    }
}

public sealed record HttpSettings(IReadOnlyList<string> Urls)
{
    public static HttpSettings FromConfig(Config config)
    {
        var urls = ConfigReader.Required(config, "urls")
            .Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new GatewayConfigurationException($"gateway.http.urls: '{url}' is not an http or https URL.");
        }
        return new HttpSettings(urls);
    }
}

/// <summary>
/// <see cref="Token"/> is null when no token is configured (the host then uses the stored one).
/// The record's text form never shows the token.
/// </summary>
public sealed record AdminSettings(string? Token, long MaxBodySize, TimeSpan AskTimeout)
{
    public static AdminSettings FromConfig(Config config)
    {
        var token = config.GetString("token", "");
        var maxBody = config.GetByteSize("max-body-size") ?? throw new GatewayConfigurationException("gateway.admin.max-body-size is missing.");
        return new AdminSettings(string.IsNullOrWhiteSpace(token) ? null : token.Trim(), maxBody,
            ConfigReader.PositiveDuration(config, "ask-timeout"));
    }

    public override string ToString() =>
        $"AdminSettings {{ Token = {(Token is null ? "(stored)" : "***")}, MaxBodySize = {MaxBodySize}, AskTimeout = {AskTimeout} }}";
}

public enum StorageBackend
{
    Sqlite,
    Postgres,
}

public enum SqliteSynchronous
{
    Full,
    Normal,
}

public sealed record SqliteSettings(string FilePath, SqliteSynchronous Synchronous, TimeSpan BusyTimeout);

/// <summary>The journal backend. The text form hides the PostgreSQL connection string (it holds a password).</summary>
public sealed record StorageSettings(
    StorageBackend Backend, SqliteSettings Sqlite, string? PostgresConnectionString, BatchedRecoverySettings BatchedRecovery)
{
    public static StorageBackend ParseBackend(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "sqlite" => StorageBackend.Sqlite,
        "postgres" or "postgresql" => StorageBackend.Postgres,
        _ => throw new GatewayConfigurationException(
            $"gateway.storage.backend (GATEWAY_STORAGE) must be 'sqlite' or 'postgres'; got '{text}'."),
    };

    public static StorageSettings FromConfig(Config config, string dataDirectory)
    {
        var backend = ParseBackend(config.GetString("backend"));
        var sqlite = config.GetConfig("sqlite");
        var synchronous = sqlite.GetString("synchronous")?.Trim().ToLowerInvariant() switch
        {
            "full" => SqliteSynchronous.Full,
            "normal" => SqliteSynchronous.Normal,
            var other => throw new GatewayConfigurationException(
                $"gateway.storage.sqlite.synchronous must be 'full' or 'normal'; got '{other}'."),
        };
        var file = Path.Combine(dataDirectory, ConfigReader.Required(sqlite, "file-name"));
        var postgres = config.GetString("postgres.connection-string", "");
        if (backend == StorageBackend.Postgres && string.IsNullOrWhiteSpace(postgres))
            throw new GatewayConfigurationException(
                "GATEWAY_STORAGE=postgres needs a connection string in GATEWAY_POSTGRES (gateway.storage.postgres.connection-string).");
        return new StorageSettings(backend,
            new SqliteSettings(file, synchronous, ConfigReader.PositiveDuration(sqlite, "busy-timeout")),
            string.IsNullOrWhiteSpace(postgres) ? null : postgres,
            BatchedRecoverySettings.FromConfig(config.GetConfig("batched-recovery")));
    }

    public override string ToString() =>
        $"StorageSettings {{ Backend = {Backend}, Sqlite = {Sqlite}, Postgres = {(PostgresConnectionString is null ? "(none)" : "***")}, BatchedRecovery = {BatchedRecovery} }}";
}

/// <summary>
/// How the recoveries of subscriber entities share their journal and snapshot queries
/// (<c>gateway.storage.batched-recovery</c>, docs/persistence.md).
/// </summary>
/// <param name="MaxBatchSize">Persistence ids answered by one query at most (one SQL parameter each).</param>
/// <param name="GatherDelay">How long a batch waits for more requests before its query starts; zero: it takes what queued up while the previous query ran.</param>
public sealed record BatchedRecoverySettings(int MaxBatchSize, TimeSpan GatherDelay)
{
    /// <summary>SQLite builds before 3.32 allow 999 parameters in one statement; staying under that keeps every build safe.</summary>
    public const int MaxParameters = 999;

    /// <summary>A recovery may wait this long for its batch: more would be a misconfiguration, not a tuning.</summary>
    public static readonly TimeSpan MaxGatherDelay = TimeSpan.FromSeconds(1);

    public static BatchedRecoverySettings FromConfig(Config config)
    {
        var size = ConfigReader.PositiveInt(config, "max-batch-size");
        if (size > MaxParameters)
            throw new GatewayConfigurationException(
                $"gateway.storage.batched-recovery.max-batch-size must be at most {MaxParameters} (one SQL parameter per persistence id); got {size}.");
        var delay = ConfigReader.NonNegativeDuration(config, "gather-delay");
        if (delay > MaxGatherDelay)
            throw new GatewayConfigurationException(
                $"gateway.storage.batched-recovery.gather-delay must be at most {MaxGatherDelay.TotalMilliseconds} ms (every recovery waits it); got {delay}.");
        return new BatchedRecoverySettings(size, delay);
    }
}

public sealed record DeliverySettings(TimeSpan RetryInterval, TimeSpan MessageTtl, int EgressRate)
{
    public static DeliverySettings FromConfig(Config config)
    {
        var settings = new DeliverySettings(
            ConfigReader.PositiveDuration(config, "retry-interval"),
            ConfigReader.PositiveDuration(config, "message-ttl"),
            ConfigReader.PositiveInt(config, "egress-rate"));
        if (settings.MessageTtl < settings.RetryInterval)
            throw new GatewayConfigurationException(
                "gateway.delivery.message-ttl (GATEWAY_MESSAGE_TTL) must not be shorter than retry-interval (GATEWAY_RETRY_INTERVAL).");
        return settings;
    }
}

public sealed record PartnerApiSettings(int IngressRate, long MaxMediaSize, long MaxBodySize, TimeSpan IdempotencyKeyTtl, int MaxInFlight)
{
    public static PartnerApiSettings FromConfig(Config config) =>
        new(ConfigReader.PositiveInt(config, "ingress-rate"), ConfigReader.PositiveByteSize(config, "max-media-size"),
            ConfigReader.PositiveByteSize(config, "max-body-size"), ConfigReader.PositiveDuration(config, "idempotency-key-ttl"),
            ConfigReader.PositiveInt(config, "max-in-flight"));
}

/// <summary>The message status view (<c>GET /v1/messages/{id}</c>): how it follows the journal and how long it keeps rows.</summary>
public sealed record MessageStatusSettings(TimeSpan PollInterval, int BatchSize, TimeSpan ReadWait, TimeSpan Retention, TimeSpan PruneInterval)
{
    public static MessageStatusSettings FromConfig(Config config) =>
        new(ConfigReader.PositiveDuration(config, "poll-interval"), ConfigReader.PositiveInt(config, "batch-size"),
            ConfigReader.PositiveDuration(config, "read-wait"), ConfigReader.PositiveDuration(config, "retention"),
            ConfigReader.PositiveDuration(config, "prune-interval"));
}

/// <summary>
/// This node's cluster address and its seed nodes. No seed nodes: the node seeds itself (a
/// one-node cluster). Port 0: a random port, and the node joins itself once it is bound.
/// </summary>
public sealed record ClusterSettings(string Host, int Port, IReadOnlyList<string> SeedNodes)
{
    public const string SystemName = "gateway";
    public const string Role = "gateway";

    public static ClusterSettings FromConfig(Config config)
    {
        var port = config.GetInt("port");
        if (port is < 0 or > 65535)
            throw new GatewayConfigurationException($"gateway.cluster.port must be 0 to 65535; got {port}.");
        var seeds = config.GetStringList("seed-nodes")?.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim()).ToList() ?? [];
        foreach (var seed in seeds)
        {
            if (!seed.StartsWith($"akka.tcp://{SystemName}@", StringComparison.Ordinal))
                throw new GatewayConfigurationException(
                    $"gateway.cluster.seed-nodes (GATEWAY_SEED_NODES): '{seed}' must look like akka.tcp://{SystemName}@host:port.");
        }
        return new ClusterSettings(ConfigReader.Required(config, "host"), port, seeds);
    }

    /// <summary>The seed nodes to use: the configured ones, or this node itself.</summary>
    public IReadOnlyList<string> EffectiveSeedNodes =>
        SeedNodes.Count > 0 || Port == 0 ? SeedNodes : [$"akka.tcp://{SystemName}@{Host}:{Port}"];
}

/// <param name="SnapshotEvery">Events between two snapshots of the catalog, at least.</param>
/// <param name="SnapshotEveryFraction">Events between two snapshots, at least this fraction of the catalog's entries.</param>
public sealed record ProvisioningSettings(
    int SnapshotEvery, double SnapshotEveryFraction, TimeSpan RestartBackoffMin, TimeSpan RestartBackoffMax, TimeSpan DirectoryWait)
{
    public static ProvisioningSettings FromConfig(Config config) =>
        new(ConfigReader.PositiveInt(config, "snapshot-every"),
            ConfigReader.Fraction(config, "snapshot-every-fraction"),
            ConfigReader.PositiveDuration(config, "restart-backoff-min"),
            ConfigReader.PositiveDuration(config, "restart-backoff-max"),
            ConfigReader.PositiveDuration(config, "directory-wait"));
}

/// <param name="JournalTimeout">How long /readyz waits for the journal's answer.</param>
/// <param name="RegionTimeout">How long /readyz waits for the shard coordinator to list the registered regions.</param>
public sealed record ReadinessSettings(TimeSpan JournalTimeout, TimeSpan RegionTimeout)
{
    public static ReadinessSettings FromConfig(Config config) =>
        new(ConfigReader.PositiveDuration(config, "journal-timeout"), ConfigReader.PositiveDuration(config, "region-timeout"));
}

/// <summary>How a node leaves on SIGTERM (docs/cluster.md, Graceful leave).</summary>
/// <param name="DrainDelay">How long /readyz answers 503 while the node still serves, before it stops taking requests.</param>
/// <param name="Timeout">The most the whole leave may take before the process exits anyway.</param>
public sealed record ShutdownSettings(TimeSpan DrainDelay, TimeSpan Timeout)
{
    public static ShutdownSettings FromConfig(Config config)
    {
        var drain = config.GetTimeSpan("drain-delay", null, allowInfinite: false);
        if (drain < TimeSpan.Zero)
            throw new GatewayConfigurationException("gateway.shutdown.drain-delay must not be negative.");
        var settings = new ShutdownSettings(drain, ConfigReader.PositiveDuration(config, "timeout"));
        if (settings.Timeout <= settings.DrainDelay)
            throw new GatewayConfigurationException("gateway.shutdown.timeout must be longer than gateway.shutdown.drain-delay.");
        return settings;
    }
}
