using System.Net;
using System.Net.Http.Headers;
using Gateway.Testing;
using static Gateway.Host.Tests.Api.AdminRequests;

namespace Gateway.Host.Tests.Node;

/// <summary>The gateway run as an operator runs it: a process, its own data folder, SIGKILL.</summary>
public sealed class GatewayProcessSpecs
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Gateway_should_generate_and_print_the_admin_token_once_and_keep_provisioning_through_kill_9()
    {
        using var folder = new TempDirectory();
        string token;
        string subscriber;

        using (var first = GatewayProcess.Start(folder.Path))
        {
            await first.WaitUntilReadyAsync(StartTimeout);
            var tokenFile = Path.Combine(folder.Path, "data", "admin-token");
            token = (await File.ReadAllTextAsync(tokenFile)).Trim();
            Assert.True(token.Length >= 32);
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenFile));
            Assert.Single(first.Output.Split('\n'), line => line.Contains(token));

            using var admin = first.CreateClient();
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            await admin.PutOk("/admin/partners/p1", PartnerBody(clientSecret: "process-client-secret", securityToken: "process-security-token"));
            subscriber = (await admin.PutOk("/admin/subscribers/s1", SubscriberBody("+19465559040", "+19465559041", "p1"))).GetRawText();

            first.Kill(); // answered 200 means journaled: SIGKILL must not lose it
            Assert.DoesNotContain("process-client-secret", first.Output);
            Assert.DoesNotContain("process-security-token", first.Output);
        }

        using var second = GatewayProcess.Start(folder.Path);
        await second.WaitUntilReadyAsync(StartTimeout);
        using var client = second.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        Assert.Equal(subscriber, (await client.GetOk("/admin/subscribers/s1")).GetRawText());
        Assert.DoesNotContain(token, second.Output);
    }

    [Fact]
    public async Task Sigterm_should_turn_readyz_to_503_while_the_node_still_serves_then_exit_cleanly()
    {
        using var folder = new TempDirectory();
        var hocon = Path.Combine(folder.Path, "drain.hocon");
        await File.WriteAllTextAsync(hocon, "gateway.shutdown.drain-delay = 3s");
        using var gateway = GatewayProcess.Start(folder.Path, new Dictionary<string, string> { ["GATEWAY_CONFIG_FILE"] = hocon });
        await gateway.WaitUntilReadyAsync(StartTimeout);
        using var client = gateway.CreateClient();

        gateway.Terminate();

        // during the drain delay: not ready, and saying why, while requests are still served
        var leaving = await PollAsync(async () =>
        {
            var response = await client.GetAsync("/readyz");
            return response.StatusCode == HttpStatusCode.ServiceUnavailable ? await response.Content.ReadAsStringAsync() : null;
        }, TimeSpan.FromSeconds(3));
        Assert.Contains("\"leaving\":\"leaving\"", leaving);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);

        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }

    /// <summary>Polls every 50 ms until <paramref name="probe"/> returns a value, for at most <paramref name="timeout"/>.</summary>
    private static async Task<T> PollAsync<T>(Func<Task<T?>> probe, TimeSpan timeout) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } value)
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Nothing within {timeout}.");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Gateway_should_use_GATEWAY_ADMIN_TOKEN_when_set_and_store_no_token_file()
    {
        using var folder = new TempDirectory();
        using var gateway = GatewayProcess.Start(folder.Path, new Dictionary<string, string> { ["GATEWAY_ADMIN_TOKEN"] = "operator-chosen-token" });
        await gateway.WaitUntilReadyAsync(StartTimeout);
        using var client = gateway.CreateClient();

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "operator-chosen-token");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/admin/partners/none")).StatusCode);
        Assert.False(File.Exists(Path.Combine(folder.Path, "data", "admin-token")));
        Assert.DoesNotContain("operator-chosen-token", gateway.Output);
    }

    [Fact]
    public async Task Gateway_should_refuse_to_start_with_a_clear_message_on_a_bad_setting()
    {
        using var folder = new TempDirectory();
        using var gateway = GatewayProcess.Start(folder.Path, new Dictionary<string, string> { ["GATEWAY_RETRY_INTERVAL"] = "often" });

        var exitCode = await gateway.WaitForExitAsync(StartTimeout);

        Assert.Equal(2, exitCode);
        Assert.Contains("GATEWAY_RETRY_INTERVAL must be a duration", gateway.Output);
    }

    [Fact]
    public async Task Gateway_should_refuse_to_start_with_a_clear_message_when_the_data_folder_cannot_be_created()
    {
        using var folder = new TempDirectory();
        var file = Path.Combine(folder.Path, "not-a-folder");
        await File.WriteAllTextAsync(file, "");
        using var gateway = GatewayProcess.Start(folder.Path, new Dictionary<string, string> { ["GATEWAY_DATA_DIR"] = Path.Combine(file, "data") });

        var exitCode = await gateway.WaitForExitAsync(StartTimeout);

        Assert.Equal(2, exitCode);
        Assert.Contains("the data folder cannot be used", gateway.Output);
    }
}
