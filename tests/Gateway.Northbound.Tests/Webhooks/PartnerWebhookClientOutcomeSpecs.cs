using System.Diagnostics;
using Gateway.Domain.Messaging;
using Gateway.Northbound.Webhooks;
using static Gateway.Northbound.Tests.Webhooks.Originations;

namespace Gateway.Northbound.Tests.Webhooks;

/// <summary>How each answer is classified (CONTRACT §4), when the secondary URL is tried, and what lastError says.</summary>
public sealed class PartnerWebhookClientOutcomeSpecs(FakePartner partner) : IClassFixture<FakePartner>, IDisposable
{
    private static readonly TimeSpan ShortTimeout = TimeSpan.FromMilliseconds(300);

    private readonly PartnerWebhookClient _client = Client();
    private readonly PartnerWebhookClient _impatient = Client(ShortTimeout);

    public void Dispose()
    {
        _client.Dispose();
        _impatient.Dispose();
    }

    private string Origin => partner.BaseAddress.GetLeftPart(UriPartial.Authority);

    [Theory]
    [InlineData(200, DeliveryResult.Delivered, null)]
    [InlineData(201, DeliveryResult.Delivered, null)]
    [InlineData(204, DeliveryResult.Delivered, null)]
    [InlineData(400, DeliveryResult.PermanentFailure, "400 Bad Request")]
    [InlineData(401, DeliveryResult.PermanentFailure, "401 Unauthorized")]
    [InlineData(404, DeliveryResult.PermanentFailure, "404 Not Found")]
    [InlineData(408, DeliveryResult.TemporaryFailure, "408 Request Timeout")]
    [InlineData(429, DeliveryResult.TemporaryFailure, "429 Too Many Requests")]
    [InlineData(500, DeliveryResult.TemporaryFailure, "500 Internal Server Error")]
    [InlineData(503, DeliveryResult.TemporaryFailure, "503 Service Unavailable")]
    [InlineData(599, DeliveryResult.TemporaryFailure, "599")]
    [InlineData(301, DeliveryResult.PermanentFailure, "301 Moved Permanently to https://moved.example (redirects are not followed)")]
    [InlineData(307, DeliveryResult.PermanentFailure, "307 Temporary Redirect to https://moved.example (redirects are not followed)")]
    public async Task PartnerWebhookClient_should_classify_the_primary_answer(int status, DeliveryResult result, string? error)
    {
        var scenario = $"status-{status}";

        var outcome = await _client.PostAsync(Target(scenario, partner.Url(scenario, $"{status}")), Sms(), CancellationToken.None);

        Assert.Equal(result, outcome.Result);
        Assert.Equal(error is null ? null : $"primary {Origin}: {error}", outcome.Error);
        Assert.Single(partner.ReceivedFor(scenario));
    }

    [Fact]
    public async Task PartnerWebhookClient_should_not_follow_a_redirect()
    {
        await _client.PostAsync(Target("redirect", partner.Url("redirect", "302")), Sms(), CancellationToken.None);

        Assert.Single(partner.ReceivedFor("redirect"));
    }

    [Theory]
    [InlineData("408")]
    [InlineData("429")]
    [InlineData("500")]
    [InlineData("503")]
    [InlineData("close")]
    public async Task PartnerWebhookClient_should_post_the_same_attempt_to_the_secondary_url_after_a_temporary_failure(string primary)
    {
        var scenario = $"failover-{primary}";

        var outcome = await _client.PostAsync(
            Target(scenario, partner.Url(scenario, primary), partner.Url(scenario, "200")), Sms(), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Delivered, outcome);
        var requests = partner.ReceivedFor(scenario);
        Assert.Equal([primary, "200"], requests.Select(r => r.Behaviour));
        Assert.Equal(requests[0].Body, requests[1].Body);
        Assert.All(requests, r => Assert.Equal($"Bearer {Token}", r.Header("Authorization")));
    }

    [Theory]
    [InlineData("400")]
    [InlineData("403")]
    [InlineData("404")]
    [InlineData("410")]
    [InlineData("308")]
    public async Task PartnerWebhookClient_should_not_try_the_secondary_url_after_a_permanent_failure(string primary)
    {
        var scenario = $"no-failover-{primary}";

        var outcome = await _client.PostAsync(
            Target(scenario, partner.Url(scenario, primary), partner.Url(scenario, "200")), Sms(), CancellationToken.None);

        Assert.Equal(DeliveryResult.PermanentFailure, outcome.Result);
        Assert.StartsWith($"primary {Origin}: {primary} ", outcome.Error);
        Assert.DoesNotContain("secondary", outcome.Error);
        Assert.Equal([primary], partner.ReceivedFor(scenario).Select(r => r.Behaviour));
    }

    [Fact]
    public async Task PartnerWebhookClient_should_not_try_the_secondary_url_when_the_primary_delivers()
    {
        var outcome = await _client.PostAsync(
            Target("primary-ok", partner.Url("primary-ok", "202"), partner.Url("primary-ok", "500")), Sms(), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Delivered, outcome);
        Assert.Equal(["202"], partner.ReceivedFor("primary-ok").Select(r => r.Behaviour));
    }

    [Fact]
    public async Task PartnerWebhookClient_should_fail_permanently_on_a_4xx_from_the_secondary_after_a_temporary_primary()
    {
        var outcome = await _client.PostAsync(
            Target("secondary-4xx", partner.Url("secondary-4xx", "500"), partner.Url("secondary-4xx", "422")), Sms(), CancellationToken.None);

        Assert.Equal(DeliveryResult.PermanentFailure, outcome.Result);
        Assert.Equal($"primary {Origin}: 500 Internal Server Error; secondary {Origin}: 422 Unprocessable Content", outcome.Error);
    }

    [Fact]
    public async Task PartnerWebhookClient_should_fail_temporarily_when_both_urls_fail_temporarily()
    {
        var outcome = await _client.PostAsync(
            Target("both-5xx", partner.Url("both-5xx", "503"), partner.Url("both-5xx", "429")), Sms(), CancellationToken.None);

        Assert.Equal(DeliveryResult.TemporaryFailure, outcome.Result);
        Assert.Equal($"primary {Origin}: 503 Service Unavailable; secondary {Origin}: 429 Too Many Requests", outcome.Error);
    }

    [Fact]
    public async Task PartnerWebhookClient_should_fail_temporarily_when_the_partner_does_not_answer_within_the_request_timeout()
    {
        var clock = Stopwatch.StartNew();

        var outcome = await _impatient.PostAsync(Target("hang", partner.Url("hang", "hang")), Sms(), CancellationToken.None);

        Assert.Equal(DeliveryResult.TemporaryFailure, outcome.Result);
        Assert.Equal($"primary {Origin}: timeout after 300ms", outcome.Error);
        Assert.InRange(clock.Elapsed, ShortTimeout - TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task PartnerWebhookClient_should_give_the_secondary_url_its_own_request_timeout_after_a_primary_timeout()
    {
        var delivered = await _impatient.PostAsync(
            Target("hang-then-ok", partner.Url("hang-then-ok", "hang"), partner.Url("hang-then-ok", "204")), Sms(), CancellationToken.None);
        var bothHang = await _impatient.PostAsync(
            Target("hang-twice", partner.Url("hang-twice", "hang"), partner.Url("hang-twice", "hang")), Sms(), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Delivered, delivered);
        Assert.Equal(["hang", "204"], partner.ReceivedFor("hang-then-ok").Select(r => r.Behaviour));
        Assert.Equal(DeliveryResult.TemporaryFailure, bothHang.Result);
        Assert.Equal($"primary {Origin}: timeout after 300ms; secondary {Origin}: timeout after 300ms", bothHang.Error);
    }

    [Fact]
    public async Task PartnerWebhookClient_should_fail_temporarily_on_a_refused_connection_and_then_try_the_secondary_url()
    {
        var unused = FakePartner.UnusedUrl("hook");

        var alone = await _client.PostAsync(Target("refused", unused), Sms(), CancellationToken.None);
        var failover = await _client.PostAsync(Target("refused", unused, partner.Url("refused", "200")), Sms(), CancellationToken.None);

        Assert.Equal(DeliveryResult.TemporaryFailure, alone.Result);
        Assert.Equal($"primary {unused.Uri.GetLeftPart(UriPartial.Authority)}: connection refused", alone.Error);
        Assert.Equal(DeliveryOutcome.Delivered, failover);
    }

    [Fact]
    public async Task PartnerWebhookClient_should_fail_temporarily_when_the_partner_drops_the_connection()
    {
        var outcome = await _client.PostAsync(Target("close", partner.Url("close", "close")), Sms(), CancellationToken.None);

        Assert.Equal(DeliveryResult.TemporaryFailure, outcome.Result);
        Assert.StartsWith($"primary {Origin}: connection ", outcome.Error);
    }

    [Fact]
    public async Task PartnerWebhookClient_error_should_name_the_url_origin_but_never_the_token_nor_the_path_and_query()
    {
        var unused = FakePartner.UnusedUrl("hook?key=query-secret");
        var outcomes = new[]
        {
            await _client.PostAsync(Target("no-token", partner.Url("no-token", "500", "?key=query-secret"), partner.Url("no-token", "401")), Sms(), CancellationToken.None),
            await _client.PostAsync(Target("no-token", unused), Sms(), CancellationToken.None),
            await _client.PostAsync(Target("no-token", partner.Url("no-token", "301")), Sms(), CancellationToken.None),
            await _impatient.PostAsync(Target("no-token", partner.Url("no-token", "hang", "?key=query-secret")), Sms(), CancellationToken.None),
        };

        Assert.All(outcomes, outcome =>
        {
            Assert.NotNull(outcome.Error);
            Assert.Contains("primary http://127.0.0.1:", outcome.Error);
            Assert.DoesNotContain(Token, outcome.Error);
            Assert.DoesNotContain("Sup3rSecret", outcome.Error);
            Assert.DoesNotContain("query-secret", outcome.Error);
            Assert.DoesNotContain("location-secret", outcome.Error);
            Assert.DoesNotContain("no-token", outcome.Error);
        });
    }

    [Fact]
    public async Task PartnerWebhookClient_should_throw_when_the_caller_cancels_and_not_try_the_secondary_url()
    {
        using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _client.PostAsync(
            Target("cancel", partner.Url("cancel", "hang"), partner.Url("cancel", "200")), Sms(), caller.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.Equal(["hang"], partner.ReceivedFor("cancel").Select(r => r.Behaviour));
    }

    [Fact]
    public async Task PartnerWebhookClient_should_throw_without_posting_when_the_caller_has_already_cancelled()
    {
        using var caller = new CancellationTokenSource();
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _client.PostAsync(
            Target("cancelled", partner.Url("cancelled", "200")), Sms(), caller.Token));

        Assert.Empty(partner.ReceivedFor("cancelled"));
    }

    [Fact]
    public async Task PartnerWebhookClient_should_post_at_most_its_limit_at_once_to_a_partner_and_time_a_request_only_once_it_is_sent()
    {
        // each answer takes 300 ms; one at a time, the sixth is answered ~1.8 s after it was handed
        // over, yet none times out: the 1-s timeout starts when a request gets its slot
        using var client = Client(requestTimeout: TimeSpan.FromSeconds(1), maxRequestsPerPartner: 1);
        var target = Target("one-at-a-time", partner.Url("one-at-a-time", "slow"));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.PostAsync(target, Sms(), CancellationToken.None)));

        Assert.All(outcomes, outcome => Assert.Equal(DeliveryOutcome.Delivered, outcome));
        Assert.Equal(6, partner.ReceivedFor("one-at-a-time").Count);
        Assert.Equal(1, partner.MostSlowAtOnce("one-at-a-time"));
    }

    [Fact]
    public async Task PartnerWebhookClient_should_let_a_caller_waiting_for_a_slot_cancel_without_posting()
    {
        using var client = Client(maxRequestsPerPartner: 1);
        var target = Target("slot-cancel", partner.Url("slot-cancel", "slow"));
        var first = client.PostAsync(target, Sms(), CancellationToken.None);
        using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.PostAsync(target, Sms(), caller.Token));

        Assert.Equal(DeliveryOutcome.Delivered, await first);
        Assert.Single(partner.ReceivedFor("slot-cancel"));
    }
}
