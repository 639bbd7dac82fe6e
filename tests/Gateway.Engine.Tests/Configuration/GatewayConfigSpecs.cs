using Akka.Configuration;
using Gateway.Engine.Configuration;

namespace Gateway.Engine.Tests.Configuration;

public sealed class GatewayConfigSpecs
{
    private static Config Load(params (string Name, string Value)[] environment)
    {
        var values = environment.ToDictionary(e => e.Name, e => e.Value);
        return GatewayConfig.Load(GatewayConfig.DefaultDirectory, name => values.GetValueOrDefault(name));
    }

    private static GatewaySettings Settings(params (string Name, string Value)[] environment) =>
        GatewaySettings.FromConfig(Load(environment));

    [Fact]
    public void GatewayConfig_should_have_the_contract_defaults_when_no_variable_is_set()
    {
        var settings = Settings();

        Assert.Equal(["http://127.0.0.1:5080"], settings.Http.Urls);
        Assert.Null(settings.Admin.Token);
        Assert.Equal(Path.GetFullPath("./data"), settings.DataDirectory);
        Assert.Equal(StorageBackend.Sqlite, settings.Storage.Backend);
        Assert.Equal(Path.Combine(Path.GetFullPath("./data"), "gateway.db"), settings.Storage.Sqlite.FilePath);
        Assert.Equal(SqliteSynchronous.Full, settings.Storage.Sqlite.Synchronous);
        Assert.Null(settings.Storage.PostgresConnectionString);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.Delivery.RetryInterval);
        Assert.Equal(TimeSpan.FromDays(7), settings.Delivery.MessageTtl);
        Assert.Equal(1, settings.Delivery.EgressRate);
        Assert.Equal(100, settings.PartnerApi.IngressRate);
        Assert.Equal(1_048_576, settings.PartnerApi.MaxMediaSize);
        Assert.Equal("127.0.0.1", settings.Cluster.Host);
        Assert.Equal(4053, settings.Cluster.Port);
        Assert.Empty(settings.Cluster.SeedNodes);
        Assert.Equal(["akka.tcp://gateway@127.0.0.1:4053"], settings.Cluster.EffectiveSeedNodes);

        var config = Load();
        Assert.Equal(TimeSpan.FromSeconds(10), config.GetTimeSpan("gateway.webhooks.request-timeout"));
        Assert.Equal(TimeSpan.FromMinutes(4), config.GetTimeSpan("gateway.message-copy.interval"));
        Assert.Equal(50, config.GetInt("gateway.message-copy.batch-size"));
        Assert.Equal(TimeSpan.FromMinutes(5), config.GetTimeSpan("gateway.network.reassembly-timeout"));
    }

    [Fact]
    public void GatewayConfig_should_read_GATEWAY_RETRY_INTERVAL_into_the_delivery_settings()
    {
        var settings = Settings(("GATEWAY_RETRY_INTERVAL", "45s"));

        Assert.Equal(TimeSpan.FromSeconds(45), settings.Delivery.RetryInterval);
    }

    [Theory]
    [InlineData("GATEWAY_URLS", "http://0.0.0.0:8080", "gateway.http.urls", "http://0.0.0.0:8080")]
    [InlineData("GATEWAY_ADMIN_TOKEN", "tok-123", "gateway.admin.token", "tok-123")]
    [InlineData("GATEWAY_DATA_DIR", "/var/lib/gateway", "gateway.data-dir", "/var/lib/gateway")]
    [InlineData("GATEWAY_STORAGE", "sqlite", "gateway.storage.backend", "sqlite")]
    [InlineData("GATEWAY_POSTGRES", "Host=db;Password=a\"b\\c", "gateway.storage.postgres.connection-string", "Host=db;Password=a\"b\\c")]
    [InlineData("GATEWAY_RETRY_INTERVAL", "500ms", "gateway.delivery.retry-interval", "00:00:00.5000000")]
    [InlineData("GATEWAY_MESSAGE_TTL", "2d", "gateway.delivery.message-ttl", "2.00:00:00")]
    [InlineData("GATEWAY_REQUEST_TIMEOUT", "3s", "gateway.webhooks.request-timeout", "00:00:03")]
    [InlineData("GATEWAY_EGRESS_RATE", "5", "gateway.delivery.egress-rate", "5")]
    [InlineData("GATEWAY_INGRESS_RATE", "250", "gateway.partner-api.ingress-rate", "250")]
    [InlineData("GATEWAY_COPY_INTERVAL", "1m", "gateway.message-copy.interval", "00:01:00")]
    [InlineData("GATEWAY_COPY_BATCH", "10", "gateway.message-copy.batch-size", "10")]
    [InlineData("GATEWAY_REASSEMBLY_TIMEOUT", "90s", "gateway.network.reassembly-timeout", "00:01:30")]
    [InlineData("GATEWAY_CLUSTER_HOST", "10.0.0.5", "gateway.cluster.host", "10.0.0.5")]
    [InlineData("GATEWAY_CLUSTER_PORT", "4054", "gateway.cluster.port", "4054")]
    public void GatewayConfig_should_let_each_variable_override_its_setting(string variable, string value, string path, string expected)
    {
        var config = Load((variable, value));

        var actual = path.EndsWith("interval") || path.EndsWith("ttl") || path.EndsWith("timeout")
            ? config.GetTimeSpan(path).ToString()
            : config.GetString(path);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void GatewayConfig_should_read_comma_separated_seed_nodes_as_a_list()
    {
        var settings = Settings(("GATEWAY_SEED_NODES", "akka.tcp://gateway@10.0.0.1:4053, akka.tcp://gateway@10.0.0.2:4053"));

        Assert.Equal(["akka.tcp://gateway@10.0.0.1:4053", "akka.tcp://gateway@10.0.0.2:4053"], settings.Cluster.SeedNodes);
        Assert.Equal(settings.Cluster.SeedNodes, settings.Cluster.EffectiveSeedNodes);
    }

    [Fact]
    public void EnvironmentOverrides_should_cover_every_variable_of_the_contract_with_a_path_that_exists()
    {
        string[] contract =
        [
            "GATEWAY_URLS", "GATEWAY_ADMIN_TOKEN", "GATEWAY_DATA_DIR", "GATEWAY_STORAGE", "GATEWAY_POSTGRES",
            "GATEWAY_RETRY_INTERVAL", "GATEWAY_MESSAGE_TTL", "GATEWAY_REQUEST_TIMEOUT", "GATEWAY_EGRESS_RATE",
            "GATEWAY_INGRESS_RATE", "GATEWAY_COPY_INTERVAL", "GATEWAY_COPY_BATCH", "GATEWAY_REASSEMBLY_TIMEOUT",
            "GATEWAY_CLUSTER_HOST", "GATEWAY_CLUSTER_PORT", "GATEWAY_SEED_NODES",
        ];
        Assert.Equal(contract.Order(), EnvironmentOverrides.Table.Select(e => e.Variable).Order());

        var defaults = Load();
        foreach (var entry in EnvironmentOverrides.Table)
            Assert.True(defaults.HasPath(entry.Path), $"{entry.Variable} maps to {entry.Path}, which gateway.hocon does not define");
    }

    [Theory]
    [InlineData("GATEWAY_RETRY_INTERVAL", "soon")]
    [InlineData("GATEWAY_RETRY_INTERVAL", "-5s")]
    [InlineData("GATEWAY_MESSAGE_TTL", "0s")]
    [InlineData("GATEWAY_EGRESS_RATE", "0")]
    [InlineData("GATEWAY_EGRESS_RATE", "1.5")]
    [InlineData("GATEWAY_COPY_BATCH", "-1")]
    [InlineData("GATEWAY_CLUSTER_PORT", "70000")]
    [InlineData("GATEWAY_CLUSTER_PORT", "http")]
    public void GatewayConfig_should_refuse_a_malformed_value_naming_its_variable(string variable, string value)
    {
        var error = Assert.Throws<GatewayConfigurationException>(() => Load((variable, value)));

        Assert.Contains(variable, error.Message);
    }

    [Theory]
    [InlineData("GATEWAY_STORAGE", "mysql", "GATEWAY_STORAGE")]
    [InlineData("GATEWAY_STORAGE", "postgres", "GATEWAY_POSTGRES")]
    [InlineData("GATEWAY_SEED_NODES", "10.0.0.1:4053", "GATEWAY_SEED_NODES")]
    [InlineData("GATEWAY_URLS", "127.0.0.1:5080", "gateway.http.urls")]
    public void GatewaySettings_should_refuse_unusable_settings_with_a_clear_message(string variable, string value, string named)
    {
        var error = Assert.Throws<GatewayConfigurationException>(() => Settings((variable, value)));

        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void GatewaySettings_should_refuse_a_message_ttl_shorter_than_the_retry_interval()
    {
        var error = Assert.Throws<GatewayConfigurationException>(() =>
            Settings(("GATEWAY_MESSAGE_TTL", "10s"), ("GATEWAY_RETRY_INTERVAL", "30s")));

        Assert.Contains("GATEWAY_MESSAGE_TTL", error.Message);
    }

    [Theory]
    [InlineData("sqlite", "SQLite.MS")]
    [InlineData("postgres", "PostgreSQL.15")]
    public void GatewayConfig_should_load_the_storage_file_of_the_chosen_backend(string backend, string provider)
    {
        var config = Load(("GATEWAY_STORAGE", backend), ("GATEWAY_POSTGRES", "Host=127.0.0.1;Database=gateway"));

        Assert.Equal(provider, config.GetString("akka.persistence.journal.sql.provider-name"));
        Assert.Equal(provider, config.GetString("akka.persistence.snapshot-store.sql.provider-name"));
        Assert.Equal("akka.persistence.journal.sql", config.GetString("akka.persistence.journal.plugin"));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public void GatewayConfig_should_point_the_journal_and_snapshot_store_of_both_backends_at_the_batched_recovery_classes(string backend)
    {
        var config = Load(("GATEWAY_STORAGE", backend), ("GATEWAY_POSTGRES", "Host=127.0.0.1;Database=gateway"));

        Assert.Equal("Gateway.Engine.Storage.Recovery.BatchedRecoveryJournal, Gateway.Engine",
            config.GetString("akka.persistence.journal.sql.class"));
        Assert.Equal("Gateway.Engine.Storage.Recovery.BatchedRecoverySnapshotStore, Gateway.Engine",
            config.GetString("akka.persistence.snapshot-store.sql.class"));
        Assert.NotNull(Type.GetType(config.GetString("akka.persistence.journal.sql.class")));
        Assert.NotNull(Type.GetType(config.GetString("akka.persistence.snapshot-store.sql.class")));
        // Batching answers like the plugin's native mode only.
        Assert.False(config.GetBoolean("akka.persistence.journal.sql.delete-compatibility-mode", false));
        Assert.Equal(new BatchedRecoverySettings(200, TimeSpan.Zero), GatewaySettings.FromConfig(config).Storage.BatchedRecovery);
    }

    [Theory]
    [InlineData("max-batch-size = 0", "max-batch-size")]
    [InlineData("max-batch-size = 1000", "max-batch-size")]
    [InlineData("gather-delay = -1ms", "gather-delay")]
    [InlineData("gather-delay = 2s", "gather-delay")]
    public void GatewaySettings_should_refuse_unusable_batched_recovery_settings(string setting, string named)
    {
        var config = GatewayConfig.Load(GatewayConfig.DefaultDirectory, _ => null, "gateway.storage.batched-recovery." + setting);

        var error = Assert.Throws<GatewayConfigurationException>(() => GatewaySettings.FromConfig(config));
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void GatewayConfig_should_let_extra_hocon_override_the_environment_and_the_files()
    {
        var config = GatewayConfig.Load(GatewayConfig.DefaultDirectory,
            name => name == "GATEWAY_EGRESS_RATE" ? "3" : null,
            "gateway.delivery.egress-rate = 7\nakka.cluster.split-brain-resolver.stable-after = 5s");

        Assert.Equal(7, config.GetInt("gateway.delivery.egress-rate"));
        Assert.Equal(TimeSpan.FromSeconds(5), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
    }

    [Fact]
    public void Settings_records_should_not_print_the_admin_token_or_the_postgres_password()
    {
        var settings = Settings(("GATEWAY_ADMIN_TOKEN", "admin-secret-value"), ("GATEWAY_STORAGE", "postgres"),
            ("GATEWAY_POSTGRES", "Host=db;Password=pg-secret-value"));

        var text = settings.ToString();
        Assert.DoesNotContain("admin-secret-value", text);
        Assert.DoesNotContain("pg-secret-value", text);
    }
}
