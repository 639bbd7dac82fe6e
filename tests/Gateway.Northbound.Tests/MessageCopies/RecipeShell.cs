using System.Diagnostics;
using System.Text;

namespace Gateway.Northbound.Tests.MessageCopies;

/// <summary>
/// Runs the seed's partner recipes with <c>bash -c</c> in a directory of their own. A missing tool fails
/// the spec rather than skipping it: these specs are what shows the files work with the recipes.
/// </summary>
public sealed class RecipeShell : IDisposable
{
    public RecipeShell() => Directory.CreateDirectory(WorkingDirectory);

    /// <summary>A fresh, empty directory, deleted on dispose: the recipes read <c>*</c> in it.</summary>
    public string WorkingDirectory { get; } = Path.Combine(Path.GetTempPath(), "message-copy-" + Guid.NewGuid().ToString("N"));

    public sealed record Result(int ExitCode, string Output, string Error);

    public void Write(string fileName, byte[] content) => File.WriteAllBytes(Path.Combine(WorkingDirectory, fileName), content);

    public byte[] Read(string fileName) => File.ReadAllBytes(Path.Combine(WorkingDirectory, fileName));

    public bool Exists(string fileName) => File.Exists(Path.Combine(WorkingDirectory, fileName));

    /// <summary>Fails unless every one of <paramref name="tools"/> is on the PATH.</summary>
    public async Task RequireAsync(params string[] tools)
    {
        foreach (var tool in tools)
            Assert.True((await RunAsync($"command -v {tool}")).ExitCode == 0, $"The seed's recipe needs '{tool}', which is not installed.");
    }

    public async Task<Result> RunAsync(string script)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script.ReplaceLineEndings("\n"));
        using var bash = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var output = bash.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = bash.StandardError.ReadToEndAsync(timeout.Token);
        await bash.WaitForExitAsync(timeout.Token);
        return new Result(bash.ExitCode, await output, await error);
    }

    public void Dispose() => Directory.Delete(WorkingDirectory, recursive: true);
}
