using System.Net.Http.Headers;
using Gateway.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Tests;

/// <summary>
/// The real host (Program) in a test server: its own data folder or PostgreSQL database, a random
/// cluster port, a known admin token unless a test leaves it out, and captured logs.
/// </summary>
public sealed class GatewayApp : WebApplicationFactory<Program>
{
    public const string AdminToken = "test-admin-token-0123456789";

    private readonly Dictionary<string, string> _settings;

    public GatewayApp(string dataDirectory, TestStorage storage, IReadOnlyDictionary<string, string>? settings = null, bool withAdminToken = true)
    {
        _settings = new Dictionary<string, string>
        {
            ["GATEWAY_DATA_DIR"] = dataDirectory,
            ["GATEWAY_CLUSTER_PORT"] = "0",
            ["GATEWAY_STORAGE"] = storage is TestStorage.Postgres ? "postgres" : "sqlite",
        };
        if (storage is TestStorage.Postgres postgres)
            _settings["GATEWAY_POSTGRES"] = postgres.ConnectionString;
        if (withAdminToken)
            _settings["GATEWAY_ADMIN_TOKEN"] = AdminToken;
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
            _settings[name] = value;
    }

    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (name, value) in _settings)
            builder.UseSetting(name, value);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }

    /// <summary>A client that sends the admin token.</summary>
    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return client;
    }

    /// <summary>Waits until <c>/readyz</c> answers 200 (cluster up, journal answering, provisioning loaded).</summary>
    public async Task<GatewayApp> WaitUntilReadyAsync()
    {
        var client = CreateClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var response = await client.GetAsync("/readyz");
            if (response.IsSuccessStatusCode)
                return this;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"/readyz still answers {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(50);
        }
    }
}
