using System.Net;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.Host.Tests.Health;

public sealed class HealthApiSpecs
{
    [Fact]
    public async Task Healthz_should_answer_200_without_authentication()
    {
        using var data = new TempDirectory();
        await using var app = new GatewayApp(data.Path, new TestStorage.Sqlite());

        var response = await app.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readyz_should_report_every_check_once_ready()
    {
        using var data = new TempDirectory();
        await using var app = await new GatewayApp(data.Path, new TestStorage.Sqlite()).WaitUntilReadyAsync();

        var response = await app.CreateClient().GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var checks = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");
        Assert.Equal("serving", checks.GetProperty("leaving").GetString());
        Assert.Equal("up", checks.GetProperty("cluster").GetString());
        Assert.Equal("registered", checks.GetProperty("sharding").GetString());
        Assert.Equal("answers", checks.GetProperty("journal").GetString());
        Assert.Equal("loaded", checks.GetProperty("provisioning").GetString());
    }

    [Fact]
    public async Task Readyz_should_answer_503_while_the_journal_cannot_be_reached()
    {
        using var data = new TempDirectory();
        await using var app = new GatewayApp(data.Path,
            TestStorage.Unreachable,
            new Dictionary<string, string> { ["GATEWAY_CONFIG_FILE"] = WriteHocon(data.Path, "gateway.readiness.journal-timeout = 2s") });
        var client = app.CreateClient();

        var response = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var checks = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");
        Assert.Equal("no answer", checks.GetProperty("journal").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Readyz_should_answer_503_while_the_node_has_not_joined_and_its_shard_region_is_not_registered()
    {
        using var data = new TempDirectory();
        // the only seed is a port nobody listens on: the node never joins, so no coordinator starts
        await using var app = new GatewayApp(data.Path, new TestStorage.Sqlite(), new Dictionary<string, string>
        {
            ["GATEWAY_SEED_NODES"] = TestCluster.Address(TestCluster.FreePort()),
            ["GATEWAY_CONFIG_FILE"] = WriteHocon(data.Path, "gateway.readiness.region-timeout = 1s"),
        });
        var client = app.CreateClient();

        var response = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var checks = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");
        Assert.NotEqual("up", checks.GetProperty("cluster").GetString());
        // no coordinator to register with: the region answers no regions, or does not answer in time
        Assert.Contains(checks.GetProperty("sharding").GetString(), new[] { "not registered", "no coordinator" });
        Assert.Equal("serving", checks.GetProperty("leaving").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    private static string WriteHocon(string directory, string hocon)
    {
        var path = Path.Combine(directory, "extra.hocon");
        File.WriteAllText(path, hocon);
        return path;
    }
}
