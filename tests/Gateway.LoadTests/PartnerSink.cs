using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.LoadTests;

/// <summary>
/// The partner's webhook endpoint, in the harness's process (Kestrel on loopback): counts every
/// origination the gateway posts, by message id (duplicates) and by subscriber (the gap between two
/// deliveries of one subscriber, against the egress interval), and the time from injection to
/// arrival when the text starts with an <see cref="InjectionStamp"/>. While <see cref="Down"/> it
/// answers 503 and counts the attempts, and the gap between two attempts of one subscriber.
/// </summary>
public sealed class PartnerSink : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, byte> _ids = new();
    private readonly ConcurrentDictionary<string, StrongBox<long>> _lastDeliveryBySubscriber = new();
    private readonly ConcurrentQueue<double> _injectionToArrivalMs = new();
    private readonly long _minimumGap;
    private long _delivered;
    private long _duplicates;
    private long _attemptsWhileDown;
    private long _throttleViolations;
    private long _smallestGap = long.MaxValue;
    private long _lastArrival;
    private long _firstArrival;
    private readonly ConcurrentDictionary<string, StrongBox<long>> _lastRefusalBySubscriber = new();
    private long _smallestRefusalGap = long.MaxValue;

    private PartnerSink(WebApplication app, TimeSpan egressInterval)
    {
        _app = app;
        _minimumGap = (long)(egressInterval.TotalSeconds * Stopwatch.Frequency);
        app.MapPost("/hook", Receive);
    }

    public static async Task<PartnerSink> StartAsync(TimeSpan egressInterval)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var sink = new PartnerSink(builder.Build(), egressInterval);
        await sink._app.StartAsync();
        return sink;
    }

    public Uri Url => new(_app.Urls.Single() + "/hook");

    /// <summary>While true every POST is answered 503 (a partner that is down) and only counted.</summary>
    public bool Down { get; set; }

    public long Delivered => Interlocked.Read(ref _delivered);
    public long Duplicates => Interlocked.Read(ref _duplicates);
    public long AttemptsWhileDown => Interlocked.Read(ref _attemptsWhileDown);
    public long ThrottleViolations => Interlocked.Read(ref _throttleViolations);

    /// <summary>Subscribers whose messages were refused at least once while <see cref="Down"/>.</summary>
    public int SubscribersRefused => _lastRefusalBySubscriber.Count;

    /// <summary>The smallest gap between two refused attempts of one subscriber (its retry interval); null before any had two.</summary>
    public TimeSpan? SmallestRefusalGap => Interlocked.Read(ref _smallestRefusalGap) is var gap && gap == long.MaxValue
        ? null
        : TimeSpan.FromSeconds((double)gap / Stopwatch.Frequency);

    /// <summary>The smallest gap between two deliveries of one subscriber; null before any subscriber had two.</summary>
    public TimeSpan? SmallestGap => Interlocked.Read(ref _smallestGap) is var gap && gap == long.MaxValue
        ? null
        : TimeSpan.FromSeconds((double)gap / Stopwatch.Frequency);

    /// <summary>The Stopwatch timestamp of the newest first delivery; 0 before any.</summary>
    public long LastArrival => Interlocked.Read(ref _lastArrival);

    /// <summary>From the first delivery (since the last reset) to the newest one.</summary>
    public TimeSpan DeliverySpan => TimeSpan.FromSeconds((double)(LastArrival - Interlocked.Read(ref _firstArrival)) / Stopwatch.Frequency);

    /// <summary>Forgets the latencies and gaps seen so far (after a warm-up), keeping the ids (a later duplicate still counts).</summary>
    public void ResetMeasurements()
    {
        _injectionToArrivalMs.Clear();
        _lastDeliveryBySubscriber.Clear();
        Interlocked.Exchange(ref _delivered, 0);
        Interlocked.Exchange(ref _throttleViolations, 0);
        Interlocked.Exchange(ref _smallestGap, long.MaxValue);
        Interlocked.Exchange(ref _lastArrival, 0);
        Interlocked.Exchange(ref _firstArrival, 0);
    }

    public Latencies InjectionToArrival() => Latencies.FromMilliseconds(_injectionToArrivalMs);

    /// <summary>The text prefix that carries the injection time (this process's Stopwatch).</summary>
    public static string InjectionStamp() => "t" + Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture) + " ";

    private async Task<IResult> Receive(HttpRequest request)
    {
        var arrived = Stopwatch.GetTimestamp();
        using var body = await JsonDocument.ParseAsync(request.Body);
        var id = body.RootElement.GetProperty("id").GetString()!;
        var owner = body.RootElement.GetProperty("owner").GetString()!;
        if (Down)
        {
            Interlocked.Increment(ref _attemptsWhileDown);
            var lastRefusal = _lastRefusalBySubscriber.GetOrAdd(owner, _ => new StrongBox<long>(0));
            var previousRefusal = Interlocked.Exchange(ref lastRefusal.Value, arrived);
            if (previousRefusal != 0)
                Smallest(ref _smallestRefusalGap, arrived - previousRefusal);
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
        var text = body.RootElement.TryGetProperty("text", out var t) ? t.GetString() : null;
        if (!_ids.TryAdd(id, 0))
        {
            Interlocked.Increment(ref _duplicates);
            return Results.Ok();
        }
        if (Interlocked.Increment(ref _delivered) == 1)
            Interlocked.Exchange(ref _firstArrival, arrived);
        Interlocked.Exchange(ref _lastArrival, arrived);
        var last = _lastDeliveryBySubscriber.GetOrAdd(owner, _ => new StrongBox<long>(0));
        var previous = Interlocked.Exchange(ref last.Value, arrived);
        if (previous != 0)
            NoteGap(arrived - previous);
        if (text is ['t', ..] && text.IndexOf(' ') is > 1 and var end
            && long.TryParse(text.AsSpan(1, end - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var injected))
            _injectionToArrivalMs.Enqueue((arrived - injected) * 1000.0 / Stopwatch.Frequency);
        return Results.Ok();
    }

    private void NoteGap(long gap)
    {
        if (gap < _minimumGap)
            Interlocked.Increment(ref _throttleViolations);
        Smallest(ref _smallestGap, gap);
    }

    private static void Smallest(ref long smallest, long candidate)
    {
        var seen = Interlocked.Read(ref smallest);
        while (candidate < seen)
        {
            var before = Interlocked.CompareExchange(ref smallest, candidate, seen);
            if (before == seen)
                return;
            seen = before;
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
