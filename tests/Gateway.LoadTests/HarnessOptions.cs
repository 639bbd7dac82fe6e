using System.Globalization;

namespace Gateway.LoadTests;

/// <summary>The command line: a scenario and its knobs (each with the scenario's default when left out).</summary>
public sealed record HarnessOptions(
    string Scenario,
    string Storage,
    int? Subscribers,
    int? Connections,
    TimeSpan? Duration,
    int TextLength,
    int? MessagesPerSubscriber,
    int? Active,
    IReadOnlyList<string> Hocon,
    IReadOnlyDictionary<string, string> Environment)
{
    public const string Usage = """
        usage: dotnet run -c Release --project tests/Gateway.LoadTests -- SCENARIO [options]

        scenarios:
          ingest       terminations accepted per second through POST /v1/messages (cold, then warm)
          end-to-end   originations through the simulator, delivered to the harness's partner sink
          backlog      the partner down while messages queue, then up: memory, retries, drain rate
          recovery     kill -9 with messages pending, restart: first delivery, full recovery, losses
          memory       node memory with active subscriber entities, and after they passivate

        options:
          --storage sqlite|postgres   journal backend (postgres: a fresh database on the server
                                      GATEWAY_POSTGRES names, dropped afterwards); default sqlite
          --subscribers N             subscribers provisioned (ingest 10000, end-to-end 20000,
                                      backlog 100000, recovery 10000, memory 100000)
          --connections N             concurrent HTTP connections: ingest 64 (closed loop),
                                      end-to-end 256 (most requests in flight, open loop)
          --duration SECONDS          length of each timed phase (ingest 20, end-to-end 60)
          --text-length N             characters per SMS text (100)
          --messages N                messages per subscriber (backlog 10, recovery 10)
          --active N                  subscribers made active (memory: all of --subscribers)
          --hocon 'path = value'      extra gateway setting for the node (repeatable), e.g.
                                      --hocon 'gateway.storage.sqlite.synchronous = normal'
          --env NAME=VALUE            environment variable for the node (repeatable), e.g. a
                                      .NET runtime knob: --env DOTNET_GCgen0size=0x4000000
        Every target is on 127.0.0.1; every phase is bounded in time.
        """;

    public static HarnessOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
            throw new UsageException(null);
        string storage = "sqlite";
        int? subscribers = null, connections = null;
        TimeSpan? duration = null;
        var textLength = 100;
        int? messages = null, active = null;
        var hocon = new List<string>();
        var environment = new Dictionary<string, string>();
        for (var i = 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{args[i]} needs a value");
            int Number(string name, int min, int max) =>
                int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                    ? n
                    : throw new UsageException($"{name} must be a whole number from {min} to {max}");
            switch (args[i])
            {
                case "--storage":
                    storage = Value();
                    if (storage is not ("sqlite" or "postgres"))
                        throw new UsageException("--storage is sqlite or postgres");
                    break;
                case "--subscribers": subscribers = Number("--subscribers", 1, 2_000_000); break;
                case "--connections": connections = Number("--connections", 1, 4096); break;
                case "--duration": duration = TimeSpan.FromSeconds(Number("--duration", 1, 3600)); break;
                case "--text-length": textLength = Number("--text-length", 1, 1600); break;
                case "--messages": messages = Number("--messages", 1, 1000); break;
                case "--active": active = Number("--active", 1, 2_000_000); break;
                case "--hocon": hocon.Add(Value()); break;
                case "--env":
                    var pair = Value().Split('=', 2);
                    if (pair.Length != 2 || pair[0].Length == 0)
                        throw new UsageException("--env takes NAME=VALUE");
                    environment[pair[0]] = pair[1];
                    break;
                default: throw new UsageException($"unknown option {args[i]}");
            }
        }
        return new HarnessOptions(args[0], storage, subscribers, connections, duration, textLength, messages, active, hocon, environment);
    }
}

public sealed class UsageException(string? problem) : Exception(problem ?? "usage");
