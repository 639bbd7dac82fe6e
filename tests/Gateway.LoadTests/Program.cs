using Gateway.LoadTests;
using Gateway.LoadTests.Scenarios;

// The load harness (docs/benchmarks.md): one scenario per run, its table on standard output,
// progress on standard error.
HarnessOptions options;
try
{
    options = HarnessOptions.Parse(args);
}
catch (UsageException e)
{
    if (e.Message != "usage")
        Console.Error.WriteLine("error: " + e.Message);
    Console.Error.WriteLine(HarnessOptions.Usage);
    return 2;
}

Func<LoadSetup, Task<Table>>? scenario = options.Scenario switch
{
    "ingest" => IngestScenario.RunAsync,
    "end-to-end" => EndToEndScenario.RunAsync,
    "backlog" => BacklogScenario.RunAsync,
    "recovery" => RecoveryScenario.RunAsync,
    "memory" => MemoryScenario.RunAsync,
    _ => null,
};
if (scenario is null)
{
    Console.Error.WriteLine($"error: unknown scenario '{options.Scenario}'");
    Console.Error.WriteLine(HarnessOptions.Usage);
    return 2;
}

try
{
    await using var setup = await LoadSetup.CreateAsync(options, TimeSpan.FromSeconds(1));
    var table = await scenario(setup);
    Console.WriteLine(table);
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    return 0;
}
catch (UsageException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}
