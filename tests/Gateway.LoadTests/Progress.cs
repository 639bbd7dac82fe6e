using System.Diagnostics;

namespace Gateway.LoadTests;

/// <summary>Progress lines on standard error while a step runs (the tables go to standard output).</summary>
public sealed class Progress(TimeSpan interval)
{
    private readonly Stopwatch _since = Stopwatch.StartNew();

    public void Say(string line) => Console.Error.WriteLine($"[{_since.Elapsed:hh\\:mm\\:ss}] {line}");

    /// <summary>Prints <paramref name="line"/>'s value every interval until disposed.</summary>
    public IDisposable Every(Func<string> line)
    {
        var timer = new Timer(_ => Say(line()), null, interval, interval);
        return new Stop(timer, () => Say(line()));
    }

    private sealed class Stop(Timer timer, Action last) : IDisposable
    {
        public void Dispose()
        {
            timer.Dispose();
            last();
        }
    }
}
