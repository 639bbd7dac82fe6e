using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Tests.Cluster;

/// <summary>
/// A recording server (CONTRACT §6) on loopback that notices overlap: it counts the copy POSTs in
/// progress at once (never more than one if a single node offloads it), takes
/// <see cref="AnswerDelay"/> to answer each, and keeps the <c>message</c> of every copy it accepted.
/// </summary>
public sealed class OverlapDetectingRecordingServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _messages = new();
    private readonly WebApplication _app;
    private int _inProgress;
    private int _mostAtOnce;

    private OverlapDetectingRecordingServer(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    public TimeSpan AnswerDelay { get; init; }

    /// <summary>The most POSTs that were in progress at the same time.</summary>
    public int MostAtOnce => Volatile.Read(ref _mostAtOnce);

    /// <summary>The <c>message</c> of each copy accepted, in arrival order.</summary>
    public IReadOnlyList<string> Messages => [.. _messages];

    public static async Task<OverlapDetectingRecordingServer> StartAsync(TimeSpan answerDelay)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        var server = new OverlapDetectingRecordingServer(app) { AnswerDelay = answerDelay };
        app.MapPost("/copies", (HttpContext context) => server.ReceiveAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Url = address.TrimEnd('/') + "/copies";
        return server;
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        var atOnce = Interlocked.Increment(ref _inProgress);
        try
        {
            int most;
            do
                most = Volatile.Read(ref _mostAtOnce);
            while (atOnce > most && Interlocked.CompareExchange(ref _mostAtOnce, atOnce, most) != most);

            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            await Task.Delay(AnswerDelay, context.RequestAborted);
            _messages.Enqueue(body.RootElement.GetProperty("smsEvent")[0].GetProperty("message").GetString()!);
            context.Response.StatusCode = StatusCodes.Status200OK;
        }
        finally
        {
            Interlocked.Decrement(ref _inProgress);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
