using System.Diagnostics;
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
