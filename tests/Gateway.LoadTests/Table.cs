using System.Text;

namespace Gateway.LoadTests;

/// <summary>A Markdown table, printed to standard output when a scenario ends.</summary>
public sealed class Table(string title, params string[] columns)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells) => _rows.Add(cells);

    public override string ToString()
    {
        var text = new StringBuilder().AppendLine().AppendLine("### " + title).AppendLine();
        text.AppendLine("| " + string.Join(" | ", columns) + " |");
        text.AppendLine("|" + string.Concat(columns.Select(_ => " --- |")));
        foreach (var row in _rows)
            text.AppendLine("| " + string.Join(" | ", row) + " |");
        return text.ToString();
    }

    public static string Mib(long bytes) => $"{bytes / 1024.0 / 1024.0:N0} MiB";
}

/// <summary>The node's CPU over a phase, as a share of the machine's cores (100% = every core busy).</summary>
public readonly record struct CpuSample(TimeSpan Cpu, DateTime At)
{
    public static CpuSample Of(GatewayNode node) => new(node.CpuTime(), DateTime.UtcNow);

    public string SharePercentSince(CpuSample start) =>
        $"{(Cpu - start.Cpu).TotalSeconds / (At - start.At).TotalSeconds / Environment.ProcessorCount * 100:0}%";
}
