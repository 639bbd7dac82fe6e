using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Gateway.Engine.Configuration;
using Gateway.Engine.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateway.Testing;

/// <summary>Where a test node keeps its journal.</summary>
public abstract record TestStorage
{
    public sealed record Sqlite : TestStorage;
    public sealed record Postgres(string ConnectionString) : TestStorage;

    /// <summary>A PostgreSQL journal that cannot be reached (nothing listens on port 1): every query fails fast.</summary>
    public static readonly TestStorage Unreachable =
        new Postgres("Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none;Timeout=1");
}

/// <summary>A node's fixed cluster port and the seed nodes it joins (several nodes in one test).</summary>
public sealed record TestCluster(int Port, IReadOnlyList<string> SeedNodes)
{
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string Address(int port) => $"akka.tcp://{ClusterSettings.SystemName}@127.0.0.1:{port}";
}

/// <summary>
/// A gateway ActorSystem built the way production builds it (a generic host, <c>AddAkka</c>, the
/// engine's <c>With...</c> extensions, the HOCON files of <c>hocon/</c>), on a random cluster port
/// (it joins itself), with its journal in <paramref name="dataDirectory"/> or a PostgreSQL database.
/// </summary>
public sealed class TestNode : IAsyncDisposable
{
    private readonly IHost _host;

    private TestNode(IHost host, GatewaySettings settings)
    {
        _host = host;
        Settings = settings;
    }

    public ActorSystem System => _host.Services.GetRequiredService<ActorSystem>();
    public IServiceProvider Services => _host.Services;
    public GatewaySettings Settings { get; }

    public static Config LoadConfig(string dataDirectory, TestStorage storage, string? extraHocon = null, TestCluster? cluster = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["GATEWAY_DATA_DIR"] = dataDirectory,
            ["GATEWAY_CLUSTER_PORT"] = (cluster?.Port ?? 0).ToString(),
            ["GATEWAY_SEED_NODES"] = cluster is null ? null : string.Join(",", cluster.SeedNodes),
            ["GATEWAY_STORAGE"] = storage is TestStorage.Postgres ? "postgres" : "sqlite",
            ["GATEWAY_POSTGRES"] = (storage as TestStorage.Postgres)?.ConnectionString,
        };
        return GatewayConfig.Load(GatewayConfig.DefaultDirectory, name => environment.GetValueOrDefault(name), extraHocon);
    }

    public static async Task<TestNode> StartAsync(
        string dataDirectory,
        TestStorage storage,
        Action<AkkaConfigurationBuilder, GatewaySettings>? configure = null,
        string? extraHocon = null,
        TestCluster? cluster = null)
    {
        var config = LoadConfig(dataDirectory, storage, extraHocon, cluster);
        var settings = GatewaySettings.FromConfig(config);
        var host = Host.CreateDefaultBuilder()
            .ConfigureServices(services =>
            {
                services.AddProvisioningDirectory();
                services.AddAkka(ClusterSettings.SystemName, (akka, _) =>
                {
                    akka.WithGatewayNode(config, settings);
                    configure?.Invoke(akka, settings);
                });
            })
            .Build();
        await host.StartAsync();
        return new TestNode(host, settings);
    }

    /// <summary>Waits until this node is an Up member of its (one-node) cluster.</summary>
    public async Task WaitUntilUpAsync(TimeSpan timeout)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(System).RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(timeout);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(15));
        _host.Dispose();
    }
}
