using System.Net;
using Gateway.Domain.Errors;
using Gateway.Testing;
using static Gateway.Host.Tests.Api.AdminRequests;

namespace Gateway.Host.Tests.Api;

public sealed class AdminWriteUnavailableSpecs
{
    [Fact]
    public async Task AdminApi_should_answer_503_with_retry_after_when_the_journal_is_down_and_never_500()
    {
        using var data = new TempDirectory();
        var extra = Path.Combine(data.Path, "extra.hocon");
        await File.WriteAllTextAsync(extra, "gateway.admin.ask-timeout = 2s");
        await using var app = new GatewayApp(data.Path,
            TestStorage.Unreachable,
            new Dictionary<string, string> { ["GATEWAY_CONFIG_FILE"] = extra });
        var admin = app.CreateAdminClient();

        var response = await admin.PutAsync("/admin/partners/p1", Json(PartnerBody()));

        await response.AssertError(HttpStatusCode.ServiceUnavailable, ErrorCodes.ServiceUnavailable);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task AdminApi_should_answer_503_not_404_for_reads_while_the_catalog_has_not_been_loaded()
    {
        using var data = new TempDirectory();
        await using var app = new GatewayApp(data.Path, TestStorage.Unreachable);

        var response = await app.CreateAdminClient().GetAsync("/admin/subscribers/s1");

        await response.AssertError(HttpStatusCode.ServiceUnavailable, ErrorCodes.ServiceUnavailable);
    }
}
