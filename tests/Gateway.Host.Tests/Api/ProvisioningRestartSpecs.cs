using Gateway.Testing;
using static Gateway.Host.Tests.Api.AdminRequests;

namespace Gateway.Host.Tests.Api;

/// <summary>
/// Provisioning survives a restart: a host is stopped and a new one started on the same data folder
/// (SQLite) or database (PostgreSQL, when <c>GATEWAY_POSTGRES</c> is set).
/// </summary>
public sealed class ProvisioningRestartSpecs
{
    [Fact]
    public async Task Provisioning_should_survive_a_host_restart_on_sqlite()
    {
        using var data = new TempDirectory();
        await RestartRoundTrip(data.Path, new TestStorage.Sqlite());
    }

    [SkippableFact]
    public async Task Provisioning_should_survive_a_host_restart_on_postgres()
    {
        PostgresDatabase.SkipUnlessConfigured();
        using var data = new TempDirectory();
        await using var database = await PostgresDatabase.CreateAsync();
        await RestartRoundTrip(data.Path, new TestStorage.Postgres(database.ConnectionString));
    }

    private static async Task RestartRoundTrip(string dataDirectory, TestStorage storage)
    {
        string[] paths = ["/admin/partners/p1", "/admin/recording-servers/rs1", "/admin/groups/g1", "/admin/subscribers/s1", "/admin/subscribers/s2"];
        var before = new Dictionary<string, string>();
        await using (var first = new GatewayApp(dataDirectory, storage))
        {
            await first.WaitUntilReadyAsync();
            var admin = first.CreateAdminClient();
            await admin.PutOk("/admin/partners/p1", PartnerBody());
            await admin.PutOk("/admin/recording-servers/rs1", """{"name": "Recorder", "url": "https://rec.example/in", "authenticationKey": "k"}""");
            await admin.PutOk("/admin/groups/g1", """{"messageCopy": {"enabled": true, "recordingServerId": "rs1"}}""");
            await admin.PutOk("/admin/subscribers/s1", SubscriberBody("+19465559040", "+19465559041", "p1", "g1"));
            await admin.PutOk("/admin/subscribers/s2", SubscriberBody("+19465559050", "+19465559050", "p1"));
            await admin.PutOk("/admin/subscribers/s2", SubscriberBody("+19465559060", "+19465559060", "p1")); // a replacement
            await admin.PutOk("/admin/subscribers/s3", SubscriberBody("+19465559070", "+19465559070", "p1"));
            Assert.Equal(System.Net.HttpStatusCode.NoContent, (await admin.DeleteAsync("/admin/subscribers/s3")).StatusCode);
            foreach (var path in paths)
                before[path] = (await admin.GetOk(path)).GetRawText();
        }

        await using var second = new GatewayApp(dataDirectory, storage);
        await second.WaitUntilReadyAsync();
        var client = second.CreateAdminClient();

        foreach (var path in paths)
            Assert.Equal(before[path], (await client.GetOk(path)).GetRawText());
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync("/admin/subscribers/s3")).StatusCode);
        // the rules still hold after recovery: s2's old numbers are free, its new ones are not
        await client.PutOk("/admin/subscribers/s4", SubscriberBody("+19465559050", "+19465559050", "p1"));
        Assert.Equal(System.Net.HttpStatusCode.Conflict,
            (await client.PutAsync("/admin/subscribers/s5", Json(SubscriberBody("+19465559060", "+19465559099", "p1")))).StatusCode);
    }
}
