using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Gateway.Domain.Addressing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Northbound.Tests.Webhooks;

/// <summary>What the fake partner received: one request, with the connection it came on.</summary>
public sealed record ReceivedRequest(
    string Scenario,
    string Behaviour,
    string Method,
    string PathAndQuery,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    string ConnectionId,
    int RemotePort)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name.ToLowerInvariant());
}

/// <summary>
/// A partner's webhook endpoint on a real Kestrel server at <c>http://127.0.0.1:&lt;free port&gt;</c>,
/// scripted by URL: <c>/{scenario}/{behaviour}</c>, where each spec uses its own scenario name and the
/// behaviour is a status code to answer (<c>503</c>), <c>slow</c> (a 200 after 300 ms), <c>200-body</c> (a 200 with a 10 KB body),
/// <c>200-huge</c> (a 200 with a 1 MB body), <c>hang</c> (never answer) or <c>close</c> (drop the
/// connection without answering). Every request is recorded, body included, before the behaviour runs.
/// </summary>
public sealed class FakePartner : IAsyncLifetime
{
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private readonly ConcurrentDictionary<string, (int Now, int Most)> _slowAtOnce = new();
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        app.Map("/{scenario}/{behaviour}", HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        _app = app;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }

    public HttpUrl Url(string scenario, string behaviour, string query = "") =>
        HttpUrl.Parse($"{BaseAddress}{scenario}/{behaviour}{query}");

    public IReadOnlyList<ReceivedRequest> ReceivedFor(string scenario) =>
        _received.Where(r => r.Scenario == scenario).ToList();

    public IReadOnlyList<ReceivedRequest> ReceivedFor(string scenario, string behaviour) =>
        _received.Where(r => r.Scenario == scenario && r.Behaviour == behaviour).ToList();

    /// <summary>The most <c>slow</c> requests of <paramref name="scenario"/> that were being answered at once.</summary>
    public int MostSlowAtOnce(string scenario) => _slowAtOnce.TryGetValue(scenario, out var count) ? count.Most : 0;

    /// <summary>A URL on 127.0.0.1 where nothing listens: connecting is refused.</summary>
    public static HttpUrl UnusedUrl(string path)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return HttpUrl.Parse($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/{path}");
    }

    private async Task HandleAsync(HttpContext context)
    {
        var scenario = (string)context.Request.RouteValues["scenario"]!;
        var behaviour = (string)context.Request.RouteValues["behaviour"]!;
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        _received.Enqueue(new ReceivedRequest(
            scenario,
            behaviour,
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
            body.ToArray(),
            context.Connection.Id,
            context.Connection.RemotePort));

        switch (behaviour)
        {
            case "hang":
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                }
                return;
            case "close":
                context.Abort();
                return;
            case "slow":
                _slowAtOnce.AddOrUpdate(scenario, (1, 1), (_, c) => (c.Now + 1, Math.Max(c.Most, c.Now + 1)));
                await Task.Delay(300, context.RequestAborted);
                _slowAtOnce.AddOrUpdate(scenario, (0, 0), (_, c) => (c.Now - 1, c.Most));
                return;
            case "200-body":
                await context.Response.WriteAsync(new string('x', 10 * 1024), context.RequestAborted);
                return;
            case "200-huge":
                await context.Response.Body.WriteAsync(new byte[1024 * 1024], context.RequestAborted);
                return;
            default:
                var status = int.Parse(behaviour, CultureInfo.InvariantCulture);
                context.Response.StatusCode = status;
                if (status is >= 300 and < 400)
                    context.Response.Headers.Location = "https://moved.example/new/hook?token=location-secret";
                return;
        }
    }
}
