using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;

namespace Gateway.DemoPartner.Tests;

/// <summary>The demo partner on a real Kestrel server on a free loopback port, as the gateway calls it.</summary>
public sealed class DemoPartnerSpecs
{
    private const string Token = "demo-security-token";

    private sealed class RunningPartner(WebApplication app, StringWriter output) : IAsyncDisposable
    {
        public HttpClient Client { get; } = new() { BaseAddress = new Uri(app.Urls.Single()) };

        public string Output => output.ToString();

        public async Task<HttpResponseMessage> PostWebhookAsync(string path, string id, string? bearer = Token, string text = "Hello 😀")
        {
            var body = $$"""
                {"id": "{{id}}", "type": "sms", "from": "+19465559040", "to": ["+12145555273"],
                 "owner": "+19465559040", "text": "{{text}}", "media": [], "timestamp": "2026-01-02T03:04:05.678Z"}
                """;
            using var request = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            if (bearer is not null)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            return await Client.SendAsync(request);
        }

        public async Task<JsonElement[]> ReceivedAsync() =>
            (await Client.GetFromJsonAsync<JsonElement[]>("/received"))!;

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await app.DisposeAsync();
        }
    }

    private static async Task<RunningPartner> StartAsync(string? token = Token, bool fail = false, int keep = DemoPartnerSettings.DefaultKeep)
    {
        var output = new StringWriter();
        var app = DemoPartnerApp.Create(new DemoPartnerSettings(["http://127.0.0.1:0"], token, fail, keep), output);
        await app.StartAsync();
        return new RunningPartner(app, output);
    }

    [Fact]
    public async Task Partner_should_answer_200_to_a_webhook_on_any_path_and_show_the_messages_oldest_first()
    {
        await using var partner = await StartAsync();

        Assert.Equal(HttpStatusCode.OK, (await partner.PostWebhookAsync("/hook", "msg_1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await partner.PostWebhookAsync("/other/path", "msg_2", text: "Hi")).StatusCode);

        var received = await partner.ReceivedAsync();
        Assert.Equal(["msg_1", "msg_2"], received.Select(m => m.GetProperty("body").GetProperty("id").GetString()));
        Assert.Equal(["/hook", "/other/path"], received.Select(m => m.GetProperty("path").GetString()));
        Assert.Equal("Hello 😀", received[0].GetProperty("body").GetProperty("text").GetString());
        Assert.Contains("received id=msg_1 from=+19465559040 to=+12145555273 text=7 chars media=0", partner.Output);
        Assert.Equal(HttpStatusCode.OK, (await partner.Client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Partner_with_a_token_should_answer_401_without_that_bearer_and_keep_nothing()
    {
        await using var partner = await StartAsync();

        var missing = await partner.PostWebhookAsync("/hook", "msg_1", bearer: null);
        var wrong = await partner.PostWebhookAsync("/hook", "msg_2", bearer: "another-token");

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("Bearer", wrong.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Empty(await partner.ReceivedAsync());
    }

    [Fact]
    public async Task Partner_without_a_token_should_take_any_request()
    {
        await using var partner = await StartAsync(token: null);

        Assert.Equal(HttpStatusCode.OK, (await partner.PostWebhookAsync("/hook", "msg_1", bearer: null)).StatusCode);
        Assert.Single(await partner.ReceivedAsync());
    }

    [Fact]
    public async Task Failing_partner_should_answer_503_and_keep_nothing()
    {
        await using var partner = await StartAsync(fail: true);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await partner.PostWebhookAsync("/hook", "msg_1")).StatusCode);
        Assert.Empty(await partner.ReceivedAsync());
        Assert.Contains("refused 503", partner.Output);
    }

    [Fact]
    public async Task Partner_should_keep_only_the_last_messages()
    {
        await using var partner = await StartAsync(keep: 2);

        foreach (var id in new[] { "msg_1", "msg_2", "msg_3" })
            await partner.PostWebhookAsync("/hook", id);

        Assert.Equal(["msg_2", "msg_3"], (await partner.ReceivedAsync()).Select(m => m.GetProperty("body").GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Partner_should_answer_400_to_a_body_that_is_not_a_json_object()
    {
        await using var partner = await StartAsync();

        foreach (var body in new[] { "[1, 2]", "{\"id\": ", "" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/hook") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            Assert.Equal(HttpStatusCode.BadRequest, (await partner.Client.SendAsync(request)).StatusCode);
        }
        Assert.Empty(await partner.ReceivedAsync());
    }

    [Fact]
    public void Settings_should_default_to_loopback_5090_without_token_or_failure()
    {
        var settings = DemoPartnerSettings.FromEnvironment(_ => null);

        Assert.Equal(["http://127.0.0.1:5090"], settings.Urls);
        Assert.Null(settings.Token);
        Assert.False(settings.Fail);
    }

    [Fact]
    public void Settings_should_read_the_environment_and_refuse_malformed_values()
    {
        var environment = new Dictionary<string, string>
        {
            [DemoPartnerSettings.UrlsVariable] = "http://0.0.0.0:5090",
            [DemoPartnerSettings.TokenVariable] = "t0k3n",
            [DemoPartnerSettings.FailVariable] = "TRUE",
        };

        var settings = DemoPartnerSettings.FromEnvironment(environment.GetValueOrDefault);

        Assert.Equal(["http://0.0.0.0:5090"], settings.Urls);
        Assert.Equal("t0k3n", settings.Token);
        Assert.True(settings.Fail);
        Assert.Throws<DemoPartnerConfigurationException>(() =>
            DemoPartnerSettings.FromEnvironment(name => name == DemoPartnerSettings.FailVariable ? "yes" : null));
        Assert.Throws<DemoPartnerConfigurationException>(() =>
            DemoPartnerSettings.FromEnvironment(name => name == DemoPartnerSettings.UrlsVariable ? "127.0.0.1:5090" : null));
    }
}
