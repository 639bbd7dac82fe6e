using System.Collections.Concurrent;
using System.Diagnostics;

namespace Gateway.LoadTests;

/// <summary>What one load run saw: answers by HTTP status, transport errors, and every answer's latency.</summary>
public sealed class LoadResult(TimeSpan elapsed, long[] byStatus, long errors, string? firstError, Latencies latencies)
{
    public TimeSpan Elapsed { get; } = elapsed;
    public long Errors { get; } = errors;
    public string? FirstError { get; } = firstError;
    public Latencies Latencies { get; } = latencies;
    public long Requests => byStatus.Sum() + Errors;
    public long Count(int status) => byStatus[status];
    public double PerSecond(int status) => Count(status) / Elapsed.TotalSeconds;

    /// <summary>"202: 120,000, 503: 12" for the statuses seen.</summary>
    public string Statuses() => string.Join(", ",
        byStatus.Select((count, status) => (count, status)).Where(s => s.count > 0).Select(s => $"{s.status}: {s.count:N0}")
            .Append(Errors > 0 ? $"errors: {Errors:N0} ({FirstError})" : null).OfType<string>());
}

/// <summary>
/// Drives a node over HTTP with a fixed number of connections for a fixed time. Every loop stops at
/// the deadline; a request still in flight then is waited for (bounded by the client's timeout).
/// </summary>
public static class LoadDriver
{
    /// <summary>A client for <paramref name="connections"/> keep-alive connections to <paramref name="node"/>.</summary>
    public static HttpClient Client(Uri node, int connections, TimeSpan timeout) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = node,
            Timeout = timeout,
        };

    /// <summary>
    /// Closed loop, as wrk runs it: each of <paramref name="connections"/> workers sends the next
    /// request as soon as the previous one is answered. <paramref name="request"/> gets a sequence
    /// number unique across the workers; the run ends at <paramref name="duration"/> or after
    /// <paramref name="limit"/> requests, whichever comes first.
    /// </summary>
    public static Task<LoadResult> ClosedLoopAsync(
        HttpClient client, int connections, TimeSpan duration, Func<long, HttpRequestMessage> request, Progress progress, string label,
        long limit = long.MaxValue)
    {
        long sequence = -1;
        return RunAsync(client, connections, duration, progress, label, async (_, send, deadline) =>
        {
            while (Stopwatch.GetTimestamp() < deadline && Interlocked.Increment(ref sequence) is var next && next < limit)
                await send(request(next));
        });
    }

    /// <summary>
    /// Paced, open loop: <paramref name="subjects"/> senders (handsets), each sending one request every
    /// <paramref name="interval"/> at most and never while its previous request is unanswered (a
    /// handset waits for its network's answer), with at most <paramref name="maxInFlight"/> requests
    /// under way in all. Turns are taken in a fixed rotation, the first ones spread over the first
    /// interval. A sender whose turn comes late sends at once and its next turn is one interval after
    /// that, so what the node cannot take shows as fewer requests than subjects × duration / interval.
    /// </summary>
    public static async Task<LoadResult> PacedAsync(
        HttpClient client, int subjects, TimeSpan interval, int maxInFlight, TimeSpan duration,
        Func<int, HttpRequestMessage> request, Progress progress, string label)
    {
        var counts = new Counts();
        var latencies = new ConcurrentQueue<long>();
        var gate = new SemaphoreSlim(maxInFlight);
        var step = interval.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond;
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var due = new long[subjects];
        for (var i = 0; i < subjects; i++)
            due[i] = start + step * i / subjects;
        var busy = new int[subjects];
        var clock = Stopwatch.StartNew();
        using (counts.Report(progress, label, clock))
        {
            for (var i = 0; ; i = (i + 1) % subjects)
            {
                var now = Stopwatch.GetTimestamp();
                if (now >= deadline)
                    break;
                if (due[i] > now)
                {
                    var wait = due[i] - now;
                    if (wait * 1000 >= Stopwatch.Frequency)
                        await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
                    else
                        await Task.Yield();
                    i--; // the same sender, once due
                    if (i < 0)
                        i = subjects - 1;
                    continue;
                }
                if (Volatile.Read(ref busy[i]) == 1)
                {
                    due[i] = now + step / 100; // its previous request is still under way: look again shortly
                    continue;
                }
                await gate.WaitAsync();
                var sender = i;
                busy[sender] = 1;
                var sentAt = Stopwatch.GetTimestamp();
                due[sender] = sentAt + step;
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await counts.SendAsync(client, request(sender), latencies);
                    }
                    finally
                    {
                        Volatile.Write(ref busy[sender], 0);
                        gate.Release();
                    }
                });
            }
            for (var n = 0; n < maxInFlight; n++)
                await gate.WaitAsync();
        }
        return counts.Result(clock.Elapsed, latencies);
    }

    private delegate Task Worker(int worker, Func<HttpRequestMessage, Task> send, long deadline);

    private static async Task<LoadResult> RunAsync(
        HttpClient client, int connections, TimeSpan duration, Progress progress, string label, Worker body)
    {
        var counts = new Counts();
        var latencies = new ConcurrentQueue<long>();
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var clock = Stopwatch.StartNew();
        using (counts.Report(progress, label, clock))
        {
            await Task.WhenAll(Enumerable.Range(0, connections).Select(worker => Task.Run(() =>
                body(worker, message => counts.SendAsync(client, message, latencies), deadline))));
        }
        return counts.Result(clock.Elapsed, latencies);
    }

    /// <summary>Answers by status, transport errors, and progress lines, shared by a run's senders.</summary>
    private sealed class Counts
    {
        private readonly long[] _byStatus = new long[600];
        private long _errors;
        private string? _firstError;

        public async Task SendAsync(HttpClient client, HttpRequestMessage message, ConcurrentQueue<long> latencies)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using (message)
                using (var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead))
                    Interlocked.Increment(ref _byStatus[Math.Clamp((int)response.StatusCode, 0, 599)]);
                latencies.Enqueue(Stopwatch.GetTimestamp() - started);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                Interlocked.Increment(ref _errors);
                Interlocked.CompareExchange(ref _firstError, ex.GetType().Name + ": " + ex.Message, null);
            }
        }

        public IDisposable Report(Progress progress, string label, Stopwatch clock)
        {
            long lastCount = 0;
            var lastAt = TimeSpan.Zero;
            return progress.Every(() =>
            {
                var count = _byStatus.Sum() + Volatile.Read(ref _errors);
                var now = clock.Elapsed;
                var rate = (count - lastCount) / Math.Max((now - lastAt).TotalSeconds, 0.001);
                (lastCount, lastAt) = (count, now);
                return $"{label}: {now.TotalSeconds:0} s, {count:N0} answers ({rate:N0}/s now), "
                       + $"{Volatile.Read(ref _byStatus[202]):N0} × 202, errors {Volatile.Read(ref _errors):N0}";
            });
        }

        public LoadResult Result(TimeSpan elapsed, IEnumerable<long> latencies) =>
            new(elapsed, _byStatus, Volatile.Read(ref _errors), _firstError, Latencies.FromStopwatchTicks(latencies));
    }
}
