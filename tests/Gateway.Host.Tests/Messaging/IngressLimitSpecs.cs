using System.Diagnostics;
using System.Text;
using System.Net;
using System.Text.Json;
using Gateway.Domain.Errors;
using static Gateway.Host.Tests.Api.AdminRequests;
using static Gateway.Host.Tests.Messaging.MessagingGateway;

namespace Gateway.Host.Tests.Messaging;

/// <summary>The per-partner ingress limit of <c>POST /v1/messages</c> (<c>GATEWAY_INGRESS_RATE</c>, CONTRACT §3).</summary>
public sealed class IngressLimitSpecs
{
    private const int Rate = 4;
    private const string Peer = "+12145555273";

    [Fact]
    public async Task A_partner_over_its_rate_should_get_429_with_retry_after_and_nothing_stored_while_another_partner_is_served()
    {
        await using var gateway = await StartAsync(new Dictionary<string, string> { ["GATEWAY_INGRESS_RATE"] = Rate.ToString() });
        await gateway.ProvisionPartnerAsync("p1", "secret-1");
        await gateway.ProvisionPartnerAsync("p2", "secret-2");
        await gateway.ProvisionSubscriberAsync("s1", "+19465559040", "+19465559041", "p1");
        await gateway.ProvisionSubscriberAsync("s2", "+19465559050", "+19465559051", "p2");
        var partner = gateway.PartnerClient("secret-1");
        await gateway.SetReachableAsync("+19465559040", false); // keep what is accepted in the queue, to count it

        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(async i =>
        {
            var response = await partner.PostAsync("/v1/messages", Json(Sms(Peer, "+19465559041", $"burst {i}")));
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync(), RetryAfter: response.Headers.RetryAfter);
        }));
        var elapsed = clock.Elapsed;

        var accepted = answers.Count(a => a.StatusCode == HttpStatusCode.Accepted);
        var limited = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(30, accepted + limited.Count);
        // A full bucket (one second's worth) and what it refilled meanwhile.
        Assert.InRange(accepted, Rate, Rate + (int)Math.Ceiling(elapsed.TotalSeconds * Rate) + 1);
        Assert.NotEmpty(limited);
        Assert.All(limited, a =>
        {
            Assert.Equal(ErrorCodes.RateLimited, JsonDocument.Parse(a.Body).RootElement.GetProperty("error").GetProperty("code").GetString());
            Assert.NotNull(a.RetryAfter?.Delta);
            Assert.True(a.RetryAfter!.Delta >= TimeSpan.FromSeconds(1));
        });
        Assert.Equal(accepted, (await gateway.QueueAsync("s1", "mt")).Count);

        // Another partner has its own allowance.
        await AcceptAsync(gateway.PartnerClient("secret-2"), Sms(Peer, "+19465559051", "other partner"));

        // A refused owner is answered 404 before the limit is looked at, and the allowance comes back.
        var unknownOwner = await partner.PostAsync("/v1/messages", Json(Sms(Peer, "+19465550999", "nobody")));
        Assert.Equal(HttpStatusCode.NotFound, unknownOwner.StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await AcceptAsync(partner, Sms(Peer, "+19465559041", "after a pause"));
    }
}

/// <summary>
/// The node's bound on requests in flight (<c>gateway.partner-api.max-in-flight</c>), on a real
/// process: Kestrel runs the handler as soon as the headers are in, so a request whose body is still
/// arriving holds its permit.
/// </summary>
public sealed class InFlightLimitSpecs
{
    private const string AdminToken = "in-flight-admin-token";

    [Fact]
    public async Task A_request_over_the_in_flight_bound_should_get_503_at_once_and_nothing_stored()
    {
        using var folder = new Gateway.Testing.TempDirectory("in-flight");
        var hocon = Path.Combine(folder.Path, "limits.hocon");
        await File.WriteAllTextAsync(hocon, "gateway.partner-api.max-in-flight = 1");
        using var node = Node.GatewayProcess.Start(folder.Path, new Dictionary<string, string>
        {
            ["GATEWAY_CONFIG_FILE"] = hocon,
            ["GATEWAY_ADMIN_TOKEN"] = AdminToken,
        });
        await node.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        using var admin = node.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        await admin.PutOk("/admin/partners/p1", PartnerBody("secret-1"));
        await admin.PutOk("/admin/subscribers/s1", SubscriberBody("+19465559040", "+19465559041", "p1"));
        using var partner = node.CreateClient();
        partner.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "secret-1");

        // The first request holds the only permit while its body is still arriving.
        var slow = new SlowContent(Encoding.UTF8.GetBytes(Sms("+12145555273", "+19465559041", "slow")));
        slow.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var first = partner.PostAsync("/v1/messages", slow);
        await slow.HalfSent.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(300);

        var second = await partner.PostAsync("/v1/messages", Json(Sms("+12145555273", "+19465559041", "refused")));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), second.Headers.RetryAfter?.Delta);
        Assert.Equal(ErrorCodes.ServiceUnavailable, JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement
            .GetProperty("error").GetProperty("code").GetString());

        slow.Finish();
        Assert.Equal(HttpStatusCode.Accepted, (await first).StatusCode);
        await AcceptAsync(partner, Sms("+12145555273", "+19465559041", "after")); // the permit came back
        var texts = (await EventuallyAsync(async () => (await admin.GetOk("/sim/handsets/+19465559040/messages")).EnumerateArray().ToList(),
                inbox => inbox.Count >= 2, "two messages"))
            .Select(m => m.GetProperty("text").GetString());
        Assert.Equal(["slow", "after"], texts);
    }

    /// <summary>A chunked body that sends its first half, then waits for <see cref="Finish"/>.</summary>
    private sealed class SlowContent(byte[] body) : HttpContent
    {
        private readonly TaskCompletionSource _halfSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task HalfSent => _halfSent.Task;

        public void Finish() => _finish.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
            await stream.FlushAsync();
            _halfSent.TrySetResult();
            await _finish.Task;
            await stream.WriteAsync(body.AsMemory(body.Length / 2));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
