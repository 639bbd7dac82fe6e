using System.Diagnostics;

namespace Gateway.LoadTests;

/// <summary>A set of latencies, sorted once, with its percentiles (nearest rank).</summary>
public sealed class Latencies
{
    private readonly double[] _milliseconds;

    private Latencies(double[] sortedMilliseconds) => _milliseconds = sortedMilliseconds;

    public static Latencies FromStopwatchTicks(IEnumerable<long> ticks)
    {
        var values = ticks.Select(t => t * 1000.0 / Stopwatch.Frequency).ToArray();
        Array.Sort(values);
        return new Latencies(values);
    }

    public static Latencies FromMilliseconds(IEnumerable<double> milliseconds)
    {
        var values = milliseconds.ToArray();
        Array.Sort(values);
        return new Latencies(values);
    }

    public int Count => _milliseconds.Length;

    /// <summary>The <paramref name="percent"/>th percentile in milliseconds; NaN when there are none.</summary>
    public double Percentile(double percent)
    {
        if (_milliseconds.Length == 0)
            return double.NaN;
        var rank = (int)Math.Ceiling(percent / 100 * _milliseconds.Length);
        return _milliseconds[Math.Clamp(rank - 1, 0, _milliseconds.Length - 1)];
    }

    public double Max => _milliseconds.Length == 0 ? double.NaN : _milliseconds[^1];

    /// <summary>"2.1 ms" / "1.25 s".</summary>
    public static string Format(double milliseconds) =>
        double.IsNaN(milliseconds) ? "–" : milliseconds >= 1000 ? $"{milliseconds / 1000:0.00} s" : $"{milliseconds:0.0} ms";
}
