using System.Diagnostics;
using System.Text.RegularExpressions;
using Gateway.Engine.Configuration;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Gateway.Host.Tests.Node;

/// <summary>
/// <c>docker/compose.yaml</c> and <c>docker/local-cluster.sh</c> start the same cluster: per node the
/// same settings and ports, the compose service names being 127.0.0.1 in the script.
/// </summary>
public sealed partial class ClusterTopologySpecs
{
    private const string ComposeFile = "docker/compose.yaml";
    private const string LocalClusterScript = "docker/local-cluster.sh";
    private const string Loopback = "127.0.0.1";
    private static readonly int[] Nodes = [1, 2, 3];

    public static TheoryData<int> EveryNode => [.. Nodes];

    [Theory]
    [MemberData(nameof(EveryNode))]
    public void Node_should_run_with_the_same_settings_in_compose_and_in_the_local_script(int node)
    {
        var compose = GatewaySettingsOf(ComposeEnvironment($"gateway{node}"));
        var script = GatewaySettingsOf(ScriptEnvironment(node.ToString()));

        // each has a data folder of its own: the image's /data volume, a folder per node under cluster/
        Assert.Equal("/data", compose["GATEWAY_DATA_DIR"]);
        Assert.Equal(Path.Combine(RepositoryFiles.Root(), "cluster", $"node{node}"), script["GATEWAY_DATA_DIR"]);
        compose.Remove("GATEWAY_DATA_DIR");
        script.Remove("GATEWAY_DATA_DIR");

        Assert.Equal($"gateway{node}", compose["GATEWAY_CLUSTER_HOST"]);
        AssertSameSettings($"node {node}", compose, script);
    }

    [Fact]
    public void Every_documented_setting_should_be_set_on_every_node_in_compose_and_in_the_local_script()
    {
        foreach (var node in Nodes)
        {
            var compose = ComposeEnvironment($"gateway{node}");
            var script = ScriptEnvironment(node.ToString());
            foreach (var variable in EnvironmentOverrides.Table.Select(entry => entry.Variable))
            {
                Assert.True(compose.ContainsKey(variable), $"{ComposeFile}: gateway{node} does not set {variable}");
                Assert.True(script.ContainsKey(variable), $"{LocalClusterScript}: node {node} does not set {variable}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(EveryNode))]
    public void Node_should_serve_http_on_508N_published_one_to_one_on_loopback_and_remoting_on_405_2_plus_N(int node)
    {
        var httpPort = 5080 + node;
        var service = Service($"gateway{node}");
        var compose = ComposeEnvironment($"gateway{node}");
        var script = ScriptEnvironment(node.ToString());

        Assert.Equal($"http://0.0.0.0:{httpPort}", compose["GATEWAY_URLS"]);
        Assert.Equal([$"{Loopback}:{httpPort}:{httpPort}"], Strings(service["ports"]));
        Assert.Contains($"http://{Loopback}:{httpPort}/healthz", Strings(Map(service["healthcheck"])["test"]));
        Assert.Equal($"http://{Loopback}:{httpPort}", script["GATEWAY_URLS"]);
        Assert.Equal((4052 + node).ToString(), compose["GATEWAY_CLUSTER_PORT"]);
        Assert.Equal((4052 + node).ToString(), script["GATEWAY_CLUSTER_PORT"]);
    }

    [Fact]
    public void Every_node_should_list_the_same_seed_nodes_in_the_same_order_itself_among_them()
    {
        var seeds = Nodes.Select(node => ComposeEnvironment($"gateway{node}")).ToList();

        Assert.Single(seeds.Select(environment => environment["GATEWAY_SEED_NODES"]).Distinct());
        foreach (var environment in seeds)
        {
            Assert.Contains($"akka.tcp://gateway@{environment["GATEWAY_CLUSTER_HOST"]}:{environment["GATEWAY_CLUSTER_PORT"]}",
                environment["GATEWAY_SEED_NODES"].Split(','));
        }
    }

    [Fact]
    public void Demo_partner_should_listen_on_5090_in_compose_and_in_the_local_script()
    {
        var service = Service("partner");
        var compose = ComposeEnvironment("partner");
        var script = ScriptEnvironment("partner");

        Assert.Equal("http://0.0.0.0:5090", compose["DEMO_PARTNER_URLS"]);
        Assert.Equal([$"{Loopback}:5090:5090"], Strings(service["ports"]));
        Assert.Equal("docker/demo-partner.Dockerfile", Map(service["build"])["dockerfile"]);
        AssertSameSettings("partner", compose, script);
    }

    [Fact]
    public void Gateway_nodes_should_wait_for_a_healthy_postgres_and_have_a_minute_to_leave_the_cluster()
    {
        var postgres = Service("postgres");
        Assert.Contains(Strings(Map(postgres["healthcheck"])["test"]), part => part.Contains("pg_isready", StringComparison.Ordinal));

        foreach (var node in Nodes)
        {
            var service = Service($"gateway{node}");
            Assert.Equal("service_healthy", Map(Map(service["depends_on"])["postgres"])["condition"]);
            Assert.Equal("60s", service["stop_grace_period"]);
            Assert.Equal("..", Map(service["build"])["context"]);
            Assert.Equal("docker/Dockerfile", Map(service["build"])["dockerfile"]);
        }
    }

    [Fact]
    public void Local_cluster_script_should_pass_bash_syntax_check()
    {
        var (exitCode, _, errors) = RunBash("-n", RepositoryFiles.PathOf(LocalClusterScript));

        Assert.True(exitCode == 0, errors);
    }

    /// <summary>The value a compose setting has in the local script: service names and 0.0.0.0 become 127.0.0.1.</summary>
    private static string OnLoopback(string variable, string value) => variable switch
    {
        "GATEWAY_CLUSTER_HOST" => Loopback,
        "GATEWAY_SEED_NODES" => SeedHost().Replace(value, Loopback),
        "GATEWAY_POSTGRES" => PostgresHost().Replace(value, Loopback),
        "GATEWAY_URLS" or "DEMO_PARTNER_URLS" => value.Replace("//0.0.0.0:", $"//{Loopback}:", StringComparison.Ordinal),
        _ => value,
    };

    [GeneratedRegex(@"(?<=@)gateway[1-3](?=:)")]
    private static partial Regex SeedHost();

    [GeneratedRegex(@"(?<=(^|;)Host=)postgres(?=;|$)")]
    private static partial Regex PostgresHost();

    private static Dictionary<string, string> GatewaySettingsOf(IReadOnlyDictionary<string, string> environment) =>
        environment.Where(setting => setting.Key.StartsWith("GATEWAY_", StringComparison.Ordinal))
            .ToDictionary(setting => setting.Key, setting => setting.Value);

    /// <summary>The script's settings are the compose ones on loopback; a failure lists every setting that differs.</summary>
    private static void AssertSameSettings(string role, IReadOnlyDictionary<string, string> compose, IReadOnlyDictionary<string, string> script)
    {
        var differences = compose.Keys.Union(script.Keys).Order(StringComparer.Ordinal)
            .Select(name => (name,
                expected: compose.TryGetValue(name, out var value) ? OnLoopback(name, value) : null,
                actual: script.GetValueOrDefault(name)))
            .Where(setting => setting.expected != setting.actual)
            .Select(setting => $"{setting.name}: compose (on loopback) {setting.expected ?? "unset"}, script {setting.actual ?? "unset"}")
            .ToList();
        Assert.True(differences.Count == 0, $"{role}:\n" + string.Join('\n', differences));
    }

    // --- docker/compose.yaml ---

    private static readonly Lazy<Dictionary<object, object>> Compose = new(() =>
    {
        using var reader = new StringReader(RepositoryFiles.Read(ComposeFile));
        // MergingParser resolves the `<<: *anchor` merge keys the file uses, as Docker Compose does
        var document = new DeserializerBuilder().Build().Deserialize<object>(new MergingParser(new Parser(reader)));
        return Map(document);
    });

    private static Dictionary<object, object> Service(string name) => Map(Map(Compose.Value["services"])[name]);

    private static Dictionary<string, string> ComposeEnvironment(string service) =>
        Map(Service(service)["environment"]).ToDictionary(setting => (string)setting.Key, setting => Interpolated((string)setting.Value));

    /// <summary>A compose value as it is with none of the variables it names set: <c>${NAME:-default}</c> is the default, <c>$$</c> a dollar.</summary>
    private static string Interpolated(string value) =>
        ComposeInterpolation().Replace(value, match => match.Value switch
        {
            "$$" => "$",
            _ when match.Groups["default"].Success => match.Groups["default"].Value,
            _ => throw new InvalidDataException($"{ComposeFile}: '{value}' uses an interpolation without a default; use ${{NAME:-default}}."),
        });

    [GeneratedRegex(@"\$\$|\$\{[A-Za-z_][A-Za-z0-9_]*:-(?<default>[^}]*)\}|\$")]
    private static partial Regex ComposeInterpolation();

    private static Dictionary<object, object> Map(object? node) =>
        node as Dictionary<object, object> ?? throw new InvalidDataException($"{ComposeFile}: expected a mapping, found {node?.GetType().Name ?? "nothing"}.");

    private static List<string> Strings(object? node) =>
        (node as List<object> ?? throw new InvalidDataException($"{ComposeFile}: expected a list, found {node?.GetType().Name ?? "nothing"}."))
            .Cast<string>().ToList();

    // --- docker/local-cluster.sh ---

    /// <summary>What <c>local-cluster.sh --print-env</c> says the node or the partner runs with, none of those variables set in the caller.</summary>
    private static Dictionary<string, string> ScriptEnvironment(string role)
    {
        var (exitCode, output, errors) = RunBash(RepositoryFiles.PathOf(LocalClusterScript), "--print-env", role);
        Assert.True(exitCode == 0, errors);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair.Length == 2 ? pair[1] : throw new InvalidDataException($"{LocalClusterScript}: '{pair[0]}' is not KEY=value."));
    }

    private static (int ExitCode, string Output, string Errors) RunBash(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var name in start.Environment.Keys
                     .Where(name => name.StartsWith("GATEWAY_", StringComparison.Ordinal)
                         || name.StartsWith("DEMO_PARTNER_", StringComparison.Ordinal)
                         || name.StartsWith("CLUSTER_", StringComparison.Ordinal))
                     .ToList())
            start.Environment.Remove(name);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill();
            throw new TimeoutException($"bash {string.Join(' ', arguments)} did not finish within 30 s");
        }
        return (process.ExitCode, output.Result, errors.Result);
    }
}
