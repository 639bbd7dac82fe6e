using Gateway.Testing;

namespace Gateway.LoadTests;

/// <summary>
/// What every scenario starts from: a work folder, the partner sink, the storage (a SQLite file in
/// the node's data folder, or a fresh PostgreSQL database) and the environment of a node under load.
/// </summary>
public sealed class LoadSetup : IAsyncDisposable
{
    public const string AdminToken = "load-admin-token-0123456789";

    private readonly TempDirectory _work;
    private readonly PostgresDatabase? _database;

    private LoadSetup(HarnessOptions options, TempDirectory work, PostgresDatabase? database, PartnerSink sink, Progress progress)
    {
        Options = options;
        _work = work;
        _database = database;
        Sink = sink;
        Progress = progress;
    }

    public HarnessOptions Options { get; }
    public PartnerSink Sink { get; }
    public Progress Progress { get; }
    public string WorkDirectory => _work.Path;

    /// <summary>"SQLite (synchronous=full)" or "PostgreSQL", as the tables print it.</summary>
    public string StorageLabel =>
        _database is not null ? "PostgreSQL"
        : Options.Hocon.Any(h => h.Replace(" ", "").Contains("synchronous=normal", StringComparison.OrdinalIgnoreCase))
            ? "SQLite (synchronous=normal)"
            : "SQLite (synchronous=full)";

    public static async Task<LoadSetup> CreateAsync(HarnessOptions options, TimeSpan egressInterval)
    {
        var progress = new Progress(TimeSpan.FromSeconds(2));
        var work = new TempDirectory("gateway-load");
        PostgresDatabase? database = null;
        if (options.Storage == "postgres")
        {
            if (PostgresDatabase.ServerConnectionString is null)
                throw new UsageException($"--storage postgres needs {PostgresDatabase.Variable} (bash .ci/start-postgres.sh prints one)");
            database = await PostgresDatabase.CreateAsync();
            progress.Say($"PostgreSQL database {database.Name} created");
        }
        var sink = await PartnerSink.StartAsync(egressInterval);
        progress.Say($"partner sink on {sink.Url}; work folder {work.Path}");
        return new LoadSetup(options, work, database, sink, progress);
    }

    /// <summary>
    /// Starts node <paramref name="name"/> (its own data folder) and waits until it is ready. The
    /// scenario's <paramref name="hocon"/> lines come before the harness's <c>--hocon</c> ones, which win.
    /// </summary>
    public async Task<GatewayNode> StartNodeAsync(
        string name, IReadOnlyDictionary<string, string>? overrides = null, IEnumerable<string>? hocon = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["GATEWAY_ADMIN_TOKEN"] = AdminToken,
            // the partner API's per-partner rate limit would measure itself, not the node
            ["GATEWAY_INGRESS_RATE"] = "1000000",
            ["GATEWAY_STORAGE"] = Options.Storage,
        };
        if (_database is not null)
            environment["GATEWAY_POSTGRES"] = _database.ConnectionString;
        var lines = (hocon ?? []).Concat(Options.Hocon).ToList();
        if (lines.Count > 0)
        {
            var file = Path.Combine(WorkDirectory, name + ".hocon");
            await File.WriteAllLinesAsync(file, lines);
            environment["GATEWAY_CONFIG_FILE"] = file;
        }
        foreach (var (key, value) in Options.Environment.Concat(overrides ?? new Dictionary<string, string>()))
            environment[key] = value;
        var node = GatewayNode.Start(Path.Combine(WorkDirectory, name), environment);
        var took = await node.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
        Progress.Say($"node {name} ready on {node.BaseAddress} after {took.TotalSeconds:0.0} s (pid {node.ProcessId}, log {node.LogPath})");
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        await Sink.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
        _work.Dispose();
    }
}
