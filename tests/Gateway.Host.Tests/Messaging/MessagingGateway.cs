using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Testing;
using static Gateway.Host.Tests.Api.AdminRequests;

namespace Gateway.Host.Tests.Messaging;

/// <summary>
/// A gateway host for the messaging specs: its own data folder, a one-node cluster on a random port,
/// a short retry interval and a high egress rate (so store-and-forward shows within seconds), with
/// helpers to provision partners and subscribers, call the partner API and the simulator, and wait.
/// </summary>
public sealed class MessagingGateway : IAsyncDisposable
{
    /// <summary>The settings every messaging spec runs with, unless it overrides one.</summary>
    public static IReadOnlyDictionary<string, string> FastDelivery { get; } = new Dictionary<string, string>
    {
        ["GATEWAY_RETRY_INTERVAL"] = "1s",
        ["GATEWAY_EGRESS_RATE"] = "20",
        ["GATEWAY_REQUEST_TIMEOUT"] = "2s",
        ["GATEWAY_INGRESS_RATE"] = "10000",
    };

    /// <summary>Request bodies as a partner would write them: no <c>\u002B</c> for <c>+</c>.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly TempDirectory _data;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private int _nextNumber;
    private bool _handedOver;

    private MessagingGateway(TempDirectory data, GatewayApp app, IReadOnlyDictionary<string, string> settings)
    {
        _data = data;
        _settings = settings;
        App = app;
        Admin = app.CreateAdminClient();
    }

    public GatewayApp App { get; }

    /// <summary>A client sending the admin token (admin API, queue view, simulator).</summary>
    public HttpClient Admin { get; }

    public static async Task<MessagingGateway> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var data = new TempDirectory("gateway-messaging");
        var all = new Dictionary<string, string>(FastDelivery);
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
            all[name] = value;
        var app = new GatewayApp(data.Path, new TestStorage.Sqlite(), all);
        try
        {
            await app.WaitUntilReadyAsync();
        }
        catch
        {
            await app.DisposeAsync();
            data.Dispose();
            throw;
        }
        return new MessagingGateway(data, app, all);
    }

    /// <summary>
    /// Stops this host and starts a new one on the same data folder (a node restart). The returned
    /// gateway owns the folder; disposing this one afterwards does nothing.
    /// </summary>
    public async Task<MessagingGateway> RestartAsync()
    {
        _handedOver = true;
        Admin.Dispose();
        await App.DisposeAsync();
        var app = new GatewayApp(_data.Path, new TestStorage.Sqlite(), _settings);
        await app.WaitUntilReadyAsync();
        return new MessagingGateway(_data, app, _settings);
    }

    public async ValueTask DisposeAsync()
    {
        if (_handedOver)
            return;
        Admin.Dispose();
        await App.DisposeAsync();
        _data.Dispose();
    }

    /// <summary>A fresh E.164 number of this host.</summary>
    public string NewNumber() => $"+1946555{Interlocked.Increment(ref _nextNumber):D4}";

    // ---- provisioning

    public async Task ProvisionPartnerAsync(
        string partnerId, string clientSecret, string primaryUrl = "https://partner.example/hook", string? secondaryUrl = null,
        string securityToken = "security-token-1")
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["primaryUrl"] = primaryUrl,
            ["secondaryUrl"] = secondaryUrl,
            ["clientSecret"] = clientSecret,
            ["securityToken"] = securityToken,
        }, JsonOptions);
        await Admin.PutOk($"/admin/partners/{partnerId}", body);
    }

    public Task ProvisionSubscriberAsync(string subscriberId, string mobile, string did, string partnerId) =>
        Admin.PutOk($"/admin/subscribers/{subscriberId}", SubscriberBody(mobile, did, partnerId));

    // ---- partner API

    /// <summary>A client of the partner API sending <paramref name="clientSecret"/>.</summary>
    public HttpClient PartnerClient(string clientSecret)
    {
        var client = App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", clientSecret);
        return client;
    }

    /// <summary>POSTs a termination and asserts <c>202 {"id": "msg_…", "status": "accepted"}</c>; returns the id.</summary>
    public static async Task<string> AcceptAsync(HttpClient partner, string json)
    {
        var response = await partner.PostAsync("/v1/messages", Json(json));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /v1/messages: {(int)response.StatusCode} {text}");
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(["id", "status"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("accepted", body.GetProperty("status").GetString());
        var id = body.GetProperty("id").GetString()!;
        Assert.Matches("^msg_[0-9a-f]{32}$", id);
        return id;
    }

    /// <summary>GETs <c>/v1/messages/{id}</c> and asserts <c>200</c> with the contract's fields in order.</summary>
    public static async Task<JsonElement> StatusAsync(HttpClient partner, string id)
    {
        var response = await partner.GetAsync($"/v1/messages/{id}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /v1/messages/{id}: {(int)response.StatusCode} {text}");
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(["id", "direction", "type", "status", "attempts", "lastError", "createdAt", "updatedAt", "segments"],
            body.EnumerateObject().Select(p => p.Name));
        return body;
    }

    public static string Sms(string from, string owner, string text) =>
        JsonSerializer.Serialize(new { type = "sms", from, to = new[] { owner }, owner, text }, JsonOptions);

    // ---- simulator and queue

    public async Task<HttpResponseMessage> SendFromHandsetAsync(string mobile, object body) =>
        await Admin.PostAsync($"/sim/handsets/{mobile}/messages",
            new StringContent(JsonSerializer.Serialize(body, JsonOptions), Encoding.UTF8, "application/json"));

    /// <summary>Makes the handset send and asserts <c>202</c>.</summary>
    public async Task SendFromHandsetOkAsync(string mobile, object body)
    {
        var response = await SendFromHandsetAsync(mobile, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /sim/handsets/{mobile}/messages: {(int)response.StatusCode} {text}");
    }

    public async Task SetReachableAsync(string mobile, bool reachable) =>
        await Admin.PutOk($"/sim/handsets/{mobile}/reachable", reachable ? """{"reachable": true}""" : """{"reachable": false}""");

    public async Task<IReadOnlyList<JsonElement>> InboxAsync(string mobile) =>
        (await Admin.GetOk($"/sim/handsets/{mobile}/messages")).EnumerateArray().ToList();

    public Task<JsonElement> QueueAsync(string subscriberId) => Admin.GetOk($"/admin/subscribers/{subscriberId}/queue");

    public async Task<IReadOnlyList<JsonElement>> QueueAsync(string subscriberId, string direction) =>
        (await QueueAsync(subscriberId)).GetProperty(direction).EnumerateArray().ToList();

    /// <summary>Asserts that the subscriber has nothing pending in either direction.</summary>
    public async Task AssertQueueEmptyAsync(string subscriberId)
    {
        var queue = await QueueAsync(subscriberId);
        Assert.Equal("""{"mt":[],"mo":[]}""", queue.GetRawText());
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds; fails after <paramref name="seconds"/>.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, double seconds = 10)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (true)
        {
            var value = await probe();
            if (condition(value))
                return value;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Not within {seconds}s: {what}. Last seen: {Describe(value)}");
            await Task.Delay(50);
        }
    }

    private static string Describe<T>(T value) => value switch
    {
        JsonElement element => element.GetRawText(),
        IEnumerable<JsonElement> elements => "[" + string.Join(",", elements.Select(e => e.GetRawText())) + "]",
        System.Collections.IEnumerable items and not string => $"{items.Cast<object>().Count()} item(s)",
        _ => value?.ToString() ?? "null",
    };
}
