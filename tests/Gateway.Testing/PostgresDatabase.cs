using Npgsql;
using Xunit;

namespace Gateway.Testing;

/// <summary>
/// A database of its own for one test class, created in the PostgreSQL server that
/// <c>GATEWAY_POSTGRES</c> points at (its user needs CREATEDB; <c>.ci/run</c> sets this up) and
/// dropped on dispose. Without <c>GATEWAY_POSTGRES</c> the PostgreSQL tests are skipped.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    public const string Variable = "GATEWAY_POSTGRES";

    private readonly string _serverConnectionString;

    private PostgresDatabase(string serverConnectionString, string name, string connectionString)
    {
        _serverConnectionString = serverConnectionString;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }

    public static string? ServerConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } cs ? cs : null;

    /// <summary>Skips the calling test (Xunit.SkippableFact) when no server is configured.</summary>
    public static void SkipUnlessConfigured() =>
        Skip.If(ServerConnectionString is null, $"{Variable} is not set; PostgreSQL tests need a server (bash .ci/run provides one).");

    public static async Task<PostgresDatabase> CreateAsync()
    {
        var server = ServerConnectionString ?? throw new InvalidOperationException($"{Variable} is not set.");
        var name = $"gw_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(server) { Database = name };
        return new PostgresDatabase(server, name, builder.ConnectionString);
    }

    /// <summary>
    /// Drops the database. A server process this role may not terminate (42501: an autovacuum worker
    /// busy with the tables a spec just filled) or a connection still closing (55006) makes the drop
    /// wait and try again; a database still there after that is left to the server's next reset
    /// rather than failing the spec that used it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_serverConnectionString);
                await connection.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState is "42501" or "55006")
            {
                if (attempt == 20)
                    return;
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        }
    }
}
