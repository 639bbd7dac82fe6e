using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Tests.Messaging;

/// <summary>
/// One gateway node run as real operating-system processes (<c>dotnet Gateway.Host.dll</c>), one after
/// the other, on the same data folder, HTTP port and cluster port: the same node restarted by an
/// operator (or a supervisor) after <see cref="Kill"/> (SIGKILL: no shutdown hooks, no flushing).
/// <see cref="Dispose"/> kills whatever still runs.
/// </summary>
public sealed class CrashRecoveryNode : IDisposable
{
    public const string AdminToken = "crash-recovery-admin-token-0123456789";

    private readonly string _folder;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;
    private int _runs;

    /// <param name="folder">The node's working folder; its journal lives in <c>folder/data</c>.</param>
    /// <param name="settings">More <c>GATEWAY_*</c> settings for every run.</param>
    public CrashRecoveryNode(string folder, IReadOnlyDictionary<string, string> settings)
    {
        _folder = folder;
        _settings = settings;
        HttpPort = CrashRecoveryPorts.Free();
        ClusterPort = CrashRecoveryPorts.Free();
        BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}");
    }

    public int HttpPort { get; }

    public int ClusterPort { get; }

    public Uri BaseAddress { get; }

    /// <summary>Everything every run printed on stdout and stderr, each run under a header.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>Starts a run (the previous one must be gone) and waits until <c>/readyz</c> answers 200.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_process is { HasExited: false })
            throw new InvalidOperationException("The node is still running.");
        _process?.Dispose();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Gateway.Host.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder,
        };
        // the child sees exactly the gateway settings of this test, none inherited from the test run
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("GATEWAY_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        start.Environment["GATEWAY_URLS"] = BaseAddress.ToString().TrimEnd('/');
        start.Environment["GATEWAY_CLUSTER_PORT"] = ClusterPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["GATEWAY_DATA_DIR"] = Path.Combine(_folder, "data");
        start.Environment["GATEWAY_STORAGE"] = "sqlite";
        start.Environment["GATEWAY_ADMIN_TOKEN"] = AdminToken;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in _settings)
            start.Environment[name] = value;

        var run = ++_runs;
        _output.Enqueue($"----- run {run} -----");
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue($"[{run}] {e.Data}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue($"[{run}] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var client = CreateClient();
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"The gateway exited with {process.ExitCode}:\n{Output}");
            try
            {
                using var response = await client.GetAsync("/readyz", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // one probe timed out; probe again
            }
            if (cancellationToken.IsCancellationRequested)
                throw new TimeoutException($"The gateway was not ready in time:\n{Output}");
            await Task.Delay(50, CancellationToken.None);
        }
    }

    /// <summary>Whether a run is under way (started and not exited).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>SIGTERM, as an orchestrator stops a container: the node leaves the cluster gracefully.</summary>
    public void Terminate()
    {
        if (_process is not { HasExited: false } process)
            return;
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Waits for the run to exit; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException("The node was never started.");
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return process.ExitCode;
    }

    /// <summary>SIGKILL, at once: what was acknowledged must already be durable.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    }

    /// <summary>A client without credentials (each request sets its own bearer token where needed).</summary>
    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return client;
    }

    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process?.Dispose();
    }
}

/// <summary>One webhook POST the fake partner received (CONTRACT §4), as it came, and when it answered it 200.</summary>
public sealed record CrashRecoveryPost(
    string Id, string Type, string From, IReadOnlyList<string> To, string Owner, string? Text, string? Authorization, string? ContentType,
    DateTimeOffset ReceivedAt);

/// <summary>
/// A partner's webhook endpoint: a real Kestrel server on <c>http://127.0.0.1:{port}/hook</c>, on a
/// port chosen (free) before it starts, so that the gateway can be provisioned with a URL where nothing
/// listens yet (the partner is down) and the partner comes up there later. Every POST is answered
/// <c>200</c> and recorded, unless <see cref="Failing"/> (then <c>503</c>, counted in
/// <see cref="Refused"/>); <see cref="AnswerDelay"/> makes it slow to answer.
/// </summary>
public sealed class CrashRecoveryPartner : IAsyncDisposable
{
    private readonly ConcurrentQueue<CrashRecoveryPost> _posts = new();
    private WebApplication? _app;

    public CrashRecoveryPartner()
    {
        Port = CrashRecoveryPorts.Free();
    }

    public int Port { get; }

    public string HookUrl => $"http://127.0.0.1:{Port}/hook";

    /// <summary>The POSTs answered 200 so far, in arrival order.</summary>
    public IReadOnlyList<CrashRecoveryPost> Posts => [.. _posts];

    /// <summary>While true, every POST is answered 503 (a temporary failure) and not recorded.</summary>
    public bool Failing { get; set; }

    /// <summary>How long each POST waits before it is answered (a slow partner).</summary>
    public TimeSpan AnswerDelay { get; set; }

    private int _refused;

    /// <summary>POSTs answered 503 while <see cref="Failing"/>.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Brings the partner up on <see cref="Port"/>.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add($"http://127.0.0.1:{Port}");
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            if (AnswerDelay > TimeSpan.Zero)
                await Task.Delay(AnswerDelay, context.RequestAborted);
            if (Failing)
            {
                Interlocked.Increment(ref _refused);
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }
            using var json = JsonDocument.Parse(body.ToArray());
            var root = json.RootElement;
            _posts.Enqueue(new CrashRecoveryPost(
                root.GetProperty("id").GetString()!,
                root.GetProperty("type").GetString()!,
                root.GetProperty("from").GetString()!,
                [.. root.GetProperty("to").EnumerateArray().Select(t => t.GetString()!)],
                root.GetProperty("owner").GetString()!,
                root.GetProperty("text").GetString(),
                context.Request.Headers.Authorization.ToString(),
                context.Request.ContentType,
                DateTimeOffset.UtcNow));
            return Results.Ok();
        });
        await app.StartAsync(cancellationToken);
        _app = app;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }
}

/// <summary>Ports and small HTTP helpers of the crash-recovery specs.</summary>
public static class CrashRecoveryPorts
{
    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Sends, asserts the status, and returns the parsed body (a copy that outlives the document).</summary>
    public static async Task<JsonElement> SendExpecting(
        this HttpClient client, HttpMethod method, string path, string? body, HttpStatusCode expected, CancellationToken cancellationToken,
        string? bearer = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = Json(body);
        if (bearer is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await client.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == expected, $"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode} {text}");
        using var document = JsonDocument.Parse(text.Length == 0 ? "null" : text);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// Reads with <paramref name="read"/> until <paramref name="done"/> holds, every 100 ms, for at most
    /// <paramref name="timeout"/> (and never past <paramref name="cancellationToken"/>); returns the last
    /// reading, or fails naming what was awaited and the last reading.
    /// </summary>
    public static async Task<T> Eventually<T>(
        Func<CancellationToken, Task<T>> read, Func<T, bool> done, string what, TimeSpan timeout, CancellationToken cancellationToken,
        Func<T, string>? describe = null)
    {
        var stopwatch = Stopwatch.StartNew();
        T last = default!;
        var seen = false;
        while (stopwatch.Elapsed < timeout && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                last = await read(cancellationToken);
                seen = true;
                if (done(last))
                    return last;
            }
            catch (HttpRequestException)
            {
                // the node is not answering this instant; read again
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // one request timed out; read again
            }
            catch (OperationCanceledException)
            {
                break;
            }
            try
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        var lastText = !seen ? "nothing read" : describe is not null ? describe(last) : last?.ToString();
        throw new TimeoutException($"Waited {stopwatch.Elapsed.TotalSeconds:0.0} s for {what}; last reading: {lastText}");
    }
}
