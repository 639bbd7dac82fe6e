using BenchmarkDotNet.Running;
using Gateway.Benchmarks;

// `entity-memory [N]` measures memory per subscriber entity; anything else goes to BenchmarkDotNet.
if (args is ["entity-memory", ..])
{
    await EntityMemory.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 2000);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
