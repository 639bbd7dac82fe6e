using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Tests.Messaging;

/// <summary>One webhook POST as the fake partner received it.</summary>
public sealed record PartnerCall(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset At)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name.ToLowerInvariant());

    public string Text => Encoding.UTF8.GetString(Body);

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>
/// A partner's webhook endpoint on a real Kestrel server at <c>http://127.0.0.1:&lt;free port&gt;</c>
/// (adapted from the Northbound tests' fake partner), which the gateway's webhook client calls over
/// loopback. Scripted by path: <c>/{name}/{status}</c> answers that status, and <c>/{name}/{status}x{n}</c>
/// answers it to the first <c>n</c> requests on that path and <c>200</c> afterwards. Every request is
/// recorded, body included, before it is answered.
/// </summary>
public sealed class RecordingPartner : IAsyncDisposable
{
    private readonly ConcurrentQueue<PartnerCall> _calls = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private readonly WebApplication _app;

    private RecordingPartner(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public IReadOnlyList<PartnerCall> Calls => _calls.ToList();

    public static async Task<RecordingPartner> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        RecordingPartner? partner = null;
        app.Map("/{name}/{behaviour}", (HttpContext context) => partner!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        partner = new RecordingPartner(app, new Uri(address.TrimEnd('/') + "/"));
        return partner;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>The URL of a scripted endpoint, e.g. <c>Url("primary", "503x1")</c>.</summary>
    public string Url(string name, string behaviour) => $"{BaseAddress}{name}/{behaviour}";

    public IReadOnlyList<PartnerCall> CallsTo(string name) =>
        _calls.Where(c => c.Path.StartsWith($"/{name}/", StringComparison.Ordinal)).ToList();

    /// <summary>A URL on 127.0.0.1 where nothing listens: connecting is refused.</summary>
    public static string UnusedUrl(string path)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/{path}";
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var behaviour = (string)context.Request.RouteValues["behaviour"]!;
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        _calls.Enqueue(new PartnerCall(
            context.Request.Method,
            path,
            context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
            body.ToArray(),
            DateTimeOffset.UtcNow));
        var count = _counts.AddOrUpdate(path, 1, (_, n) => n + 1);

        var parts = behaviour.Split('x');
        var status = int.Parse(parts[0], CultureInfo.InvariantCulture);
        if (parts.Length == 2 && count > int.Parse(parts[1], CultureInfo.InvariantCulture))
            status = StatusCodes.Status200OK;
        context.Response.StatusCode = status;
    }
}
