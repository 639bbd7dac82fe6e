using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Gateway.LoadTests;

/// <summary>
/// One gateway node as an operating-system process (<c>dotnet Gateway.Host.dll</c>, the build this
/// harness was built with), HTTP on a free loopback port, its output in <c>node.log</c> of its data
/// folder. Killed with SIGKILL on dispose unless it already exited.
/// </summary>
public sealed class GatewayNode : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private GatewayNode(Process process, Uri baseAddress, string logPath)
    {
        _process = process;
        BaseAddress = baseAddress;
        LogPath = logPath;
        _log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }
    public string LogPath { get; }
    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>Starts a node whose data folder is <paramref name="dataDirectory"/>; the settings are CONTRACT §1 variables.</summary>
    public static GatewayNode Start(string dataDirectory, IReadOnlyDictionary<string, string> environment, int? httpPort = null)
    {
        Directory.CreateDirectory(dataDirectory);
        var port = httpPort ?? FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Gateway.Host.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDirectory,
        };
        start.Environment["GATEWAY_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["GATEWAY_DATA_DIR"] = dataDirectory;
        start.Environment["GATEWAY_CLUSTER_PORT"] = "0";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        return new GatewayNode(process, new Uri($"http://127.0.0.1:{port}"), Path.Combine(dataDirectory, "node.log"));
    }

    /// <summary>Waits until <c>/readyz</c> answers 200; throws (with the log's tail) after <paramref name="timeout"/>.</summary>
    public async Task<TimeSpan> WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The node exited with {_process.ExitCode}; see {LogPath}.");
            try
            {
                if ((await client.GetAsync("/readyz")).IsSuccessStatusCode)
                    return clock.Elapsed;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The node was not ready within {timeout}; see {LogPath}.");
    }

    /// <summary>Resident memory now and at its peak, in bytes (Linux /proc).</summary>
    public (long Rss, long Peak) Memory()
    {
        long Read(string key) => File.ReadLines($"/proc/{_process.Id}/status")
            .Where(line => line.StartsWith(key + ":", StringComparison.Ordinal))
            .Select(line => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024)
            .FirstOrDefault();
        return (Read("VmRSS"), Read("VmHWM"));
    }

    /// <summary>CPU time (user + system) the process used so far.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>
    /// Makes the node run a full, blocking garbage collection, the way <c>dotnet-gcdump</c> does: a
    /// short EventPipe session with the runtime's GCHeapCollect keyword, through <c>dotnet-trace</c>
    /// (<c>dotnet tool install -g dotnet-trace</c>). False when dotnet-trace is not installed.
    /// </summary>
    public async Task<bool> CollectGarbageAsync()
    {
        var tool = new[] { "dotnet-trace", Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-trace") }
            .FirstOrDefault(candidate => Path.IsPathRooted(candidate) ? File.Exists(candidate) : OnPath(candidate));
        if (tool is null)
            return false;
        var output = Path.Combine(Path.GetTempPath(), $"gateway-gc-{_process.Id}.nettrace");
        var start = new ProcessStartInfo(tool,
            ["collect", "-p", _process.Id.ToString(CultureInfo.InvariantCulture), "--providers", "Microsoft-Windows-DotNETRuntime:0x800000:4",
             "--duration", "00:00:00:02", "-o", output])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var trace = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await trace.WaitForExitAsync(timeout.Token);
        File.Delete(output);
        return trace.ExitCode == 0;
    }

    private static bool OnPath(string file) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, file)));

    /// <summary>SIGKILL: the process gets no chance to flush or leave.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        _log.Dispose();
    }

    private void Write(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.WriteLine(line);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
